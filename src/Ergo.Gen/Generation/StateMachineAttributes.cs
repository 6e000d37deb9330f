namespace Ergo.Gen;

/// <summary>
/// Makes a <c>partial</c> class a gen_statem with states <typeparamref name="TState"/>: the generator derives it
/// from <see cref="Behaviours.StateMachine{TState}"/> and routes calls, casts and other messages to its [Call],
/// [Cast] and [Info] methods in the states their [In] names (all states without one), from .NET objects or
/// Erlang terms. <c>gen_statem:call</c> from Erlang reaches its [Call] methods.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class StateMachineAttribute<TState> : Attribute where TState : struct, Enum
{
    /// <summary>The registered name the generated StartAsync uses.</summary>
    public string? Name { get; set; }

    /// <summary>What a call or cast no handler takes in the current state does: by default it stops the machine
    /// (<c>{bad_call, Request}</c>, <c>{bad_cast, Msg}</c>), as gen_statem's missing clause would.</summary>
    public Behaviours.UnknownMessages UnknownMessages { get; set; }
}

/// <summary>The states a [StateMachine] handler runs in: <c>[In(DoorState.Locked)]</c>, or several.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class InAttribute(object state, params object[] more) : Attribute
{
    public object[] States { get; } = [state, .. more];
}
