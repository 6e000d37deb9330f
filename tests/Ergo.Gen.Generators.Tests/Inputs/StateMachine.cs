using System;
using Ergo.Gen;
using Ergo.Gen.Etf;

namespace Demo;

public enum DoorState { Locked, Open }

[Term] public sealed record Unlock(string Code);
[Term] public sealed record Lock;
[Term("state")] public sealed record GetState;

// Handlers per state, one message type handled in two states by two methods, a state timeout and state enter calls.
[StateMachine<DoorState>(Name = "door")]
public partial class Door
{
    private sealed record Relock;

    protected override bool StateEnter => true;

    [Call] DoorState Handle(GetState _) => State;

    [In(DoorState.Locked), Call]
    Term Handle(Unlock m)
    {
        if (m.Code != "1234")
            return Atom.Of("wrong_code");
        GoTo(DoorState.Open);
        StateTimeout(TimeSpan.FromSeconds(1), new Relock());
        return Atom.Ok;
    }

    [In(DoorState.Open), Call] Term Again(Unlock _) => Atom.Of("already_open");

    [In(DoorState.Open, DoorState.Locked), Cast] void Handle(Lock _) => GoTo(DoorState.Locked);

    [In(DoorState.Open), Info] void Handle(Relock _) => GoTo(DoorState.Locked);
}
