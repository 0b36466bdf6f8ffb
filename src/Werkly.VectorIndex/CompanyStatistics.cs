namespace Werkly.VectorIndex;

/// <summary>The shape of one company's index.</summary>
/// <param name="LiveCount">Records that searches can return.</param>
/// <param name="DeletedCount">Deleted or replaced rows still occupying list space until the next compaction.</param>
/// <param name="ListCount">Trained lists, or 0 while the company uses flat search.</param>
/// <param name="DefaultProbes">Lists probed when a search does not say (0 for flat search).</param>
/// <param name="TrainedAtCount">Live records when the lists were last trained.</param>
/// <param name="SegmentCount">Segments searched (committed segments plus the in-memory one).</param>
public readonly record struct CompanyStatistics(int LiveCount, int DeletedCount, int ListCount, int DefaultProbes, long TrainedAtCount, int SegmentCount);
