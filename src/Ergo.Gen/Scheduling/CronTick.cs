namespace Ergo.Gen.Scheduling;

/// <summary>What a schedule sends its process when a run falls due (unless it was given a message of its own).</summary>
/// <param name="Job">The schedule's name.</param>
/// <param name="Due">When the run fell due.</param>
/// <param name="Missed">0 for a run on time; for the catch-up tick of <see cref="MissedRuns.RunOnce"/>, how many
/// runs it stands for.</param>
public sealed record CronTick(string Job, DateTimeOffset Due, int Missed = 0);
