// Decides whether a stored record passes a filter; evaluated inside the engine's scan. It is the engine's RecordFilter
// itself, so the scan calls the translated filter directly rather than through a second delegate per row.
global using EnginePredicate = Werkly.VectorIndex.RecordFilter;
