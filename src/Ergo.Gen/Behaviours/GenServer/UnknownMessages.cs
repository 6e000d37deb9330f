namespace Ergo.Gen.Behaviours;

/// <summary>What a generated server does with a call or cast that no handler takes.</summary>
public enum UnknownMessages
{
    /// <summary>As gen_server: stop with <c>{bad_call, Request}</c> or <c>{bad_cast, Msg}</c> (the caller fails at once).</summary>
    Stop,

    /// <summary>Log it (rate-limited) and go on: a call is answered <c>{error, {bad_call, Request}}</c>, a cast dropped.</summary>
    LogAndContinue,
}
