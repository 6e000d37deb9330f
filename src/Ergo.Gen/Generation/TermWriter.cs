using System.ComponentModel;
using Ergo.Gen.Etf;

namespace Ergo.Gen;

/// <summary>Writes a value straight to ETF, with no term tree: what generated codecs give the runtime for replies.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate void TermWriter<in T>(ref EtfWriter writer, T value);
