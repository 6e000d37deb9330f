namespace Ergo.Gen.Generators.Model
{
    /// <summary>How a typed value (a stage event, a saga value, an event payload) converts from and to a term:
    /// <see cref="Kind"/> is null for a type with no term form, and for <c>Term</c> itself (<see cref="IsTerm"/>).</summary>
    internal sealed record TypedValue(string TypeName, ValueKind? Kind, bool IsTerm);
}
