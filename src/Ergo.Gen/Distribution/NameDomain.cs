namespace Ergo.Gen.Distribution;

/// <summary>Erlang's two kinds of node names, which refuse each other: <c>erl -name</c> and <c>erl -sname</c>.</summary>
public enum NameDomain
{
    /// <summary><c>-name</c>: <c>name@host.domain</c> or <c>name@IP</c>; a peer's host must be fully qualified or an address.</summary>
    LongNames,

    /// <summary><c>-sname</c>: <c>name@host</c>, a host without dots; a peer's host must not have dots either.</summary>
    ShortNames,
}
