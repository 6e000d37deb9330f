using Ergo.Gen.Etf;

namespace Ergo.Gen.Demo;

public enum DoorState { Locked, Open }

// The door's requests, as Erlang writes them.
[Term] public sealed record Unlock(string Code);  // {unlock, <<"1234">>}
[Term] public sealed record Lock;                 // lock
[Term("state")] public sealed record GetState;    // state

/// <summary>
/// The registered <c>door</c>, a gen_statem written with the generators: locked until the right code opens it, and
/// locked again by a state timeout one second later unless someone locks it first.
/// </summary>
[StateMachine<DoorState>(Name = "door")]
public partial class Door
{
    private static readonly Term WrongCode = new Etf.Tuple(Atom.Error, Atom.Of("wrong_code"));
    private static readonly Term AlreadyOpen = new Etf.Tuple(Atom.Error, Atom.Of("already_open"));
    private static readonly Term AlreadyLocked = new Etf.Tuple(Atom.Error, Atom.Of("already_locked"));

    private sealed record Relock;

    [Call] DoorState Handle(GetState _) => State;

    [In(DoorState.Locked), Call]
    Term Handle(Unlock m)
    {
        if (m.Code != "1234")
            return WrongCode;
        GoTo(DoorState.Open);
        StateTimeout(TimeSpan.FromSeconds(1), new Relock());
        return Atom.Ok;
    }

    [In(DoorState.Open), Call] Term Again(Unlock _) => AlreadyOpen;

    [In(DoorState.Open), Call]
    Term Handle(Lock _)
    {
        GoTo(DoorState.Locked);
        return Atom.Ok;
    }

    [In(DoorState.Locked), Call] Term Again(Lock _) => AlreadyLocked;

    [In(DoorState.Open), Info] void Handle(Relock _) => GoTo(DoorState.Locked);
}
