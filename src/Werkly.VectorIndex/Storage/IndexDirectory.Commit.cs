namespace Werkly.VectorIndex.Storage;

internal sealed partial class IndexDirectory
{
    /// <summary>Applies <paramref name="changes"/> atomically and makes them durable.</summary>
    /// <param name="changes">At most one change per company; companies not named keep their state.</param>
    /// <param name="commitData">Opaque bytes stored with the commit (the facade's settings); null keeps the previous commit's.</param>
    /// <param name="logRecordsCommitted">How many of the <see cref="PendingLog"/> records (the first ones) the changes
    /// include; records appended after them stay in the write-ahead log. All of them by default.</param>
    /// <param name="cancellationToken">Cancels the commit before its manifest is renamed into place; the directory then stays at the previous commit.</param>
    /// <returns>The new generation.</returns>
    /// <exception cref="ArgumentException">A change is inconsistent (unknown segment, duplicate segment id, dimensions differ within a company, bad row ids).</exception>
    /// <exception cref="IOException">Writing failed (I/O error, disk full): nothing was applied and the directory is at the previous commit.</exception>
    /// <exception cref="InvalidOperationException">The directory is read-only.</exception>
    /// <remarks>Serialized with other commits; snapshots keep being served while it runs. Files the commit retires
    /// are deleted once no snapshot uses them.</remarks>
    public long Commit(IReadOnlyList<CompanyChange> changes, ReadOnlyMemory<byte>? commitData = null, int logRecordsCommitted = int.MaxValue,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (Options.ReadOnly) throw new InvalidOperationException($"Index directory '{DirectoryPath}' is open read-only.");
        // Company ids are exact (ordinal, case-sensitive): they never name files, so "Acme" and "acme" are two companies.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            ArgumentNullException.ThrowIfNull(change, nameof(changes));
            if (!seen.Add(change.CompanyId)) throw new ArgumentException($"Company '{change.CompanyId}' has more than one change in the commit.", nameof(changes));
        }

        lock (_commitGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ThrowIfFaulted();
            var transaction = new CommitTransaction(this, _current);
            DirectoryState next;
            try
            {
                next = transaction.Run(changes, commitData, logRecordsCommitted, cancellationToken);
            }
            catch
            {
                transaction.Abort();
                throw;
            }

            // The new manifest is durable: from here on nothing may undo the commit.
            transaction.RetireSuperseded(next);
            Swap(next);
            return next.Manifest.Generation;
        }
    }

    private long TakeFileNumber() => _nextFileNumber++;

    /// <summary>Writes <paramref name="manifest"/> to MANIFEST.tmp and fsyncs it, renames it over MANIFEST, and fsyncs the directory.</summary>
    /// <param name="device">The device.</param>
    /// <param name="directory">The index directory.</param>
    /// <param name="manifest">The manifest to write.</param>
    /// <param name="renamed">Called right after the rename succeeded, before the directory fsync.</param>
    private static void WriteManifest(IStorageDevice device, string directory, Manifest manifest, Action? renamed = null)
    {
        string temp = Path.Combine(directory, ManifestTempFileName);
        using (var file = device.Create(temp))
        {
            manifest.Write(file);
            file.Sync();
        }
        device.Rename(temp, Path.Combine(directory, ManifestFileName));
        renamed?.Invoke();
        device.SyncDirectory(directory);
    }

    /// <summary>Makes <paramref name="next"/> the durable manifest (<see cref="WriteManifest"/>), then runs
    /// <paramref name="replaced"/>. If anything fails after the rename (the new manifest's durability is then unknown),
    /// <paramref name="previous"/> is written back so neither disk nor memory moves past it; if that fails too, the
    /// directory is faulted (<see cref="ThrowIfFaulted"/>). The original exception is rethrown either way.</summary>
    /// <param name="next">The new manifest.</param>
    /// <param name="previous">The manifest to put back on failure.</param>
    /// <param name="replaced">In-memory steps that belong to the replacement (their failure undoes it too), or null.</param>
    private void ReplaceManifest(Manifest next, Manifest previous, Action? replaced = null)
    {
        bool renamed = false;
        try
        {
            WriteManifest(_device, DirectoryPath, next, () => renamed = true);
            replaced?.Invoke();
        }
        catch when (renamed)
        {
            try
            {
                WriteManifest(_device, DirectoryPath, previous);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Disk and memory may now disagree: refuse further commits until the directory is reopened.
                _faulted = ex;
            }
            throw;
        }
    }

    /// <summary>One commit in progress: the files it wrote (deleted again if it fails) and the state it builds.</summary>
    private sealed class CommitTransaction(IndexDirectory directory, DirectoryState previous)
    {
        private readonly List<string> _writtenFiles = [];
        private readonly List<Action> _opened = [];

        public DirectoryState Run(IReadOnlyList<CompanyChange> changes, ReadOnlyMemory<byte>? commitData, int logRecordsCommitted, CancellationToken cancellationToken)
        {
            var byId = previous.Companies.ToDictionary(c => c.CompanyId, StringComparer.Ordinal);
            var order = previous.Companies.Select(c => c.CompanyId).ToList();
            var result = new Dictionary<string, CompanySnapshot?>(StringComparer.Ordinal);
            foreach (var change in changes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var existing = byId.GetValueOrDefault(change.CompanyId);
                if (existing is null) order.Add(change.CompanyId);
                result[change.CompanyId] = Apply(change.DeleteCompany ? null : existing, change, cancellationToken);
            }

            var companies = new List<CompanySnapshot>();
            foreach (string id in order)
            {
                var company = result.TryGetValue(id, out var changed) ? changed : byId[id];
                if (company is null) continue;
                if (!result.ContainsKey(id))
                {
                    company.SharedCentroids?.AddReference();
                    foreach (var s in company.Segments) s.SharedSegment.AddReference();
                    _opened.Add(() =>
                    {
                        company.SharedCentroids?.Release();
                        foreach (var s in company.Segments) s.SharedSegment.Release();
                    });
                }
                companies.Add(company);
            }

            var old = previous.Manifest;
            var manifest = new Manifest(old.Generation + 1, directory._nextFileNumber,
                commitData is { } data ? data.ToArray() : old.CommitData,
                companies.Select(c => new CompanyEntry(c.CompanyId, c.Dimensions, c.SharedCentroids is null ? null : ReferenceOf(c.SharedCentroids.Path, c.Centroids!),
                    c.Segments.Select(s => s.Entry).ToList(), c.Properties.ToArray())).ToList());

            cancellationToken.ThrowIfCancellationRequested();
            manifest = directory.ReplaceManifestAndLog(manifest, logRecordsCommitted);
            return new DirectoryState(manifest, companies);
        }

        /// <summary>Undoes a failed commit: releases and deletes what was written, unless the previous manifest could not
        /// be put back (the directory is faulted; the new manifest may still name those files).</summary>
        public void Abort()
        {
            if (directory._faulted is not null) return;
            foreach (var release in _opened) release();
            foreach (string file in _writtenFiles) directory.TryDelete(file);
        }

        /// <summary>After a successful swap: files of the previous state that the new one dropped are deleted once unused.</summary>
        public void RetireSuperseded(DirectoryState next)
        {
            var live = next.Manifest.Files().Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var company in previous.Companies)
            {
                if (company.SharedCentroids is { } c && !live.Contains(Path.GetFileName(c.Path))) c.Retire();
                foreach (var segment in company.Segments)
                {
                    if (!live.Contains(segment.Entry.File.Name)) segment.SharedSegment.Retire();
                    // Tombstone files are read into memory on open, so a superseded one can go right away.
                    if (segment.Entry.TombstoneFile is { } t && !live.Contains(t.Name)) directory.TryDelete(Path.Combine(directory.DirectoryPath, t.Name));
                }
            }
        }

        private CompanySnapshot? Apply(CompanySnapshot? existing, CompanyChange change, CancellationToken cancellationToken)
        {
            var removed = new HashSet<long>(change.RemovedSegments);
            foreach (long id in removed)
                if (existing is null || existing.Segments.All(s => s.SegmentId != id))
                    throw new ArgumentException($"Company '{change.CompanyId}' has no live segment {id} to remove.", nameof(change));
            var segments = (existing?.Segments ?? []).Where(s => !removed.Contains(s.SegmentId)).ToList();

            int dimensions = change.Centroids?.Dimensions ?? existing?.Dimensions ?? (change.AddedSegments.Count > 0 ? change.AddedSegments[0].Dimensions : 0);
            if (segments.Count > 0 && segments[0].Segment.Dimensions != dimensions)
                throw new ArgumentException($"Company '{change.CompanyId}' keeps segments of {segments[0].Segment.Dimensions} dimensions but the change uses {dimensions}.", nameof(change));
            var centroids = existing?.SharedCentroids;
            if (change.Centroids is null && centroids is not null && centroids.Value.Dimensions != dimensions)
                throw new ArgumentException($"Company '{change.CompanyId}' keeps centroids of {centroids.Value.Dimensions} dimensions but the change uses {dimensions}.", nameof(change));
            foreach (var image in change.AddedSegments)
            {
                if (image.Dimensions != dimensions)
                    throw new ArgumentException($"Segment {image.SegmentId} of company '{change.CompanyId}' has {image.Dimensions} dimensions; the company has {dimensions}.", nameof(change));
                if (change.AddedSegments.Count(s => s.SegmentId == image.SegmentId) > 1 || (existing?.Segments.Any(s => s.SegmentId == image.SegmentId) ?? false))
                    throw new ArgumentException($"Company '{change.CompanyId}' already has a segment {image.SegmentId}; segment ids are never reused.", nameof(change));
            }

            if (change.Centroids is { } centroidsImage)
            {
                centroids = WriteCentroids(change.CompanyId, centroidsImage);
            }
            else if (centroids is not null)
            {
                centroids.AddReference();
                _opened.Add(centroids.Release);
            }

            // Kept segments are shared with the previous state: take a reference for the new one.
            foreach (var s in segments)
            {
                s.SharedSegment.AddReference();
                _opened.Add(s.SharedSegment.Release);
            }

            foreach (var image in change.AddedSegments)
            {
                cancellationToken.ThrowIfCancellationRequested();
                segments.Add(WriteSegment(change.CompanyId, image, cancellationToken));
            }

            foreach (var (segmentId, rows) in change.AddedTombstones)
            {
                int index = segments.FindIndex(s => s.SegmentId == segmentId);
                if (index < 0) throw new ArgumentException($"Tombstones name segment {segmentId}, which company '{change.CompanyId}' does not have.", nameof(change));
                var segment = segments[index];
                var union = segment.Tombstones.Union(rows, segment.Entry.RowCount);
                if (ReferenceEquals(union, segment.Tombstones)) continue;
                segments[index] = WriteTombstones(segment, union);
            }

            if (segments.Count == 0 && centroids is null) return null;
            byte[]? properties = change.Properties is { } given ? given.ToArray() : existing?.Properties.ToArray();
            return new CompanySnapshot(change.CompanyId, dimensions, centroids, segments, properties);
        }

        private string NewFile(string prefix, string extension)
        {
            string path = Path.Combine(directory.DirectoryPath, $"{prefix}-{directory.TakeFileNumber():D12}.{extension}");
            _writtenFiles.Add(path);
            return path;
        }

        private SharedFile<MappedCentroids> WriteCentroids(string companyId, CentroidsImage image)
        {
            string path = NewFile("cen", "wvc");
            var device = directory._device;
            using (var file = device.Create(path))
            {
                MappedCentroids.Write(file, companyId, image);
                file.Sync();
            }
            var shared = new SharedFile<MappedCentroids>(MappedCentroids.Open(device, path, companyId), path, device);
            _opened.Add(shared.Release);
            return shared;
        }

        private SegmentSnapshot WriteSegment(string companyId, SegmentImage image, CancellationToken cancellationToken)
        {
            string path = NewFile("seg", "wvs");
            var device = directory._device;
            long length;
            ulong fileId;
            using (var file = device.Create(path))
            {
                (length, fileId) = SegmentWriter.Write(file, companyId, image, cancellationToken);
                file.Sync();
            }
            var segment = new SharedFile<MappedSegment>(MappedSegment.Open(device, path, companyId, image.SegmentId, fileId, length), path, device);
            _opened.Add(segment.Release);
            var entry = new SegmentEntry(image.SegmentId, new FileReference(Path.GetFileName(path), length, fileId), image.Keys.Count, null, 0);
            return new SegmentSnapshot(entry, segment, Tombstones.None);
        }

        private SegmentSnapshot WriteTombstones(SegmentSnapshot segment, Tombstones tombstones)
        {
            string path = NewFile("del", "wvd");
            long length;
            ulong fileId;
            using (var file = directory._device.Create(path))
            {
                (length, fileId) = tombstones.Write(file, segment.SegmentId, segment.Entry.RowCount);
                file.Sync();
            }
            var entry = segment.Entry with { TombstoneFile = new FileReference(Path.GetFileName(path), length, fileId), DeletedCount = tombstones.Count };
            return new SegmentSnapshot(entry, segment.SharedSegment, tombstones);
        }

        private static FileReference ReferenceOf(string path, MappedCentroids centroids) =>
            new(Path.GetFileName(path), centroids.FileLength, centroids.FileId);
    }
}
