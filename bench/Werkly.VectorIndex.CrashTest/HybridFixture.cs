namespace Werkly.VectorIndex.CrashTest;

/// <summary>
/// The small hybrid index (vectors plus keyword blocks: segment record version 2) written through
/// <see cref="WerklyIndex"/> with titles and texts and committed under tests/…/Storage/Compatibility/v2-hybrid. Never change the operations
/// below: the compatibility test reopens those files with every later version and compares them with <see cref="Expected"/>.
/// </summary>
internal static class HybridFixture
{
    public const int Dimensions = 8;

    public static WerklyIndexOptions Options => new() { Dimensions = Dimensions };

    public static float[] V(int seed) => [.. Enumerable.Range(0, Dimensions).Select(i => (float)Math.Round(Math.Cos(seed * 13 + i) + 0.2, 4))];

    private static readonly string[] Texts =
    [
        "Employees receive 25 vacation days per year; unused days carry over until March.",
        "Submit expense reports within 30 days, with receipts attached.",
        "Report phishing e-mails to security@example.com immediately.",
        "Every new hire receives a laptop on the first day.",
        "The office is closed on public holidays and between Christmas and New Year.",
        "Parental leave: 16 weeks fully paid, for every parent.",
        "Travel above 500 euros needs approval from your manager.",
        "Passwords are at least 14 characters; use the company's password manager.",
    ];

    /// <summary>Company → key → (title, text, vector seed), after all commits.</summary>
    public static Dictionary<string, Dictionary<string, (string? Title, string Text, int Seed)>> Expected()
    {
        var acme = Enumerable.Range(0, Texts.Length).ToDictionary(i => $"acme-{i}", i => ((string?)$"Handbook {i}", Texts[i], i));
        acme.Remove("acme-2");
        acme["acme-4"] = ("Holidays (updated)", "The office closes on public holidays; from 2027 also on 24 December.", 40);
        acme["acme-8"] = (null, "Phishing drills run every quarter; report anything suspicious.", 8);
        return new()
        {
            ["acme"] = acme,
            ["globex"] = new() { ["g-0"] = ("Vacation", "Globex grants 30 vacation days.", 100), ["g-1"] = (null, "Grüße aus Köln: straße, Übermut.", 101) },
        };
    }

    private static VectorRecord R(string key, float[] vector, string? title, string text) => new(key, vector) { Title = title, Text = text };

    public static void Write(string directory)
    {
        using var index = WerklyIndex.Open(directory, Options);
        index.Apply("acme", [.. Enumerable.Range(0, Texts.Length).Select(i => R($"acme-{i}", V(i), $"Handbook {i}", Texts[i]))], []);
        index.Apply("globex", [R("g-0", V(100), "Vacation", "Globex grants 30 vacation days.")], []);
        index.Commit();
        index.Apply("acme", [
            R("acme-4", V(40), "Holidays (updated)", "The office closes on public holidays; from 2027 also on 24 December."),
            R("acme-8", V(8), null, "Phishing drills run every quarter; report anything suspicious."),
        ], ["acme-2"]);
        index.Apply("globex", [R("g-1", V(101), null, "Grüße aus Köln: straße, Übermut.")], []);
        index.Commit();
    }
}
