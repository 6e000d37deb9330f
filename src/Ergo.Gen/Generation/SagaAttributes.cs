namespace Ergo.Gen;

/// <summary>
/// Makes a <c>partial</c> class a saga: the generator derives it from <see cref="Behaviours.Saga"/> and routes the
/// transaction callbacks to its [TxNew], [TxInterim], [TxResult], [TxCancel] and [TxCommit] methods, with values
/// decoded into their parameter types (a value that does not decode cancels the transaction with
/// <c>{bad_value, Value}</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class SagaAttribute : Attribute
{
    /// <summary>The registered name the generated StartAsync uses.</summary>
    public string? Name { get; set; }
}

/// <summary>A transaction begins: <c>void Begin(SagaTransaction tx, TValue value)</c>, or async.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class TxNewAttribute : Attribute;

/// <summary>An interim result: <c>void Progress(SagaTransaction tx, SagaParticipant from, TValue value)</c> (from is optional).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class TxInterimAttribute : Attribute;

/// <summary>A participant's result: <c>void Done(SagaTransaction tx, SagaParticipant from, TValue result)</c> (from is optional).</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class TxResultAttribute : Attribute;

/// <summary>The transaction was cancelled: <c>void Cancelled(SagaTransaction tx, Term reason)</c>.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class TxCancelAttribute : Attribute;

/// <summary>Two-phase commit: <c>void Commit(SagaTransaction tx, TValue final)</c>.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class TxCommitAttribute : Attribute;

/// <summary>
/// Makes a <c>partial</c> class a saga job worker (<see cref="Behaviours.SagaWorker"/>) with [JobStart], [JobCancel]
/// and [JobCommit] methods; a start value that does not decode stops the worker with <c>{bad_value, Value}</c>,
/// which cancels its transaction.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class SagaWorkerAttribute : Attribute;

/// <summary>The job begins: <c>void Start(SagaJob job, TValue value)</c>, or async.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class JobStartAttribute : Attribute;

/// <summary>The job's transaction was cancelled: <c>void Cancelled(SagaJob job, Term reason)</c>.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class JobCancelAttribute : Attribute;

/// <summary>Two-phase commit: <c>void Commit(SagaJob job, TValue final)</c>.</summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class JobCommitAttribute : Attribute;
