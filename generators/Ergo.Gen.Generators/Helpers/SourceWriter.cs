using System.Text;

namespace Ergo.Gen.Generators.Helpers
{
    /// <summary>A StringBuilder with indentation: the emitters write code line by line.</summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder _sb = new();
        private int _indent;

        public SourceWriter Line(string text = "")
        {
            if (text.Length > 0)
                _sb.Append(' ', _indent * 4).Append(text);
            _sb.Append('\n');
            return this;
        }

        public SourceWriter Open(string text)
        {
            Line(text);
            Line("{");
            _indent++;
            return this;
        }

        public SourceWriter Indent()
        {
            _indent++;
            return this;
        }

        public SourceWriter Outdent()
        {
            _indent--;
            return this;
        }

        public SourceWriter Close(string suffix = "")
        {
            _indent--;
            return Line("}" + suffix);
        }

        public override string ToString() => _sb.ToString();
    }
}
