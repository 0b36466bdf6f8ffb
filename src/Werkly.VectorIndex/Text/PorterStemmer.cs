namespace Werkly.VectorIndex.Text;

/// <summary>
/// The Porter stemming algorithm (M.F. Porter, "An algorithm for suffix stripping", Program 14(3), 1980), in the form of
/// Porter's own reference implementation, which is also what Lucene's <c>PorterStemFilter</c> runs.
/// </summary>
/// <remarks>
/// <para>The reference implementation departs from the 1980 paper in three published ways, which this one follows so that
/// results match Lucene's <c>EnglishAnalyzer</c>: step 2 maps <c>-bli</c> to <c>-ble</c> (the paper has <c>-abli</c> to
/// <c>-able</c>), step 2 adds <c>-logi</c> to <c>-log</c>, and words of one or two characters are left alone.</para>
/// <para>The input is expected in lower case; any other character counts as a consonant, as in the reference.</para>
/// <para>Thread safety: all members are static and pure; call them from any thread.</para>
/// </remarks>
internal static class PorterStemmer
{
    // Suffix rules per step, in the reference implementation's order. Within a step the first suffix that matches
    // decides (even when its measure condition then fails), exactly as the reference's switch on the penultimate letter.
    private static readonly (string Suffix, string Replacement)[] Step2Rules =
    [
        ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"),
        ("bli", "ble"), ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"),
        ("ization", "ize"), ("ation", "ate"), ("ator", "ate"), ("alism", "al"), ("iveness", "ive"),
        ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble"), ("logi", "log"),
    ];

    private static readonly (string Suffix, string Replacement)[] Step3Rules =
    [
        ("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""), ("ness", ""),
    ];

    private static readonly string[] Step4Suffixes =
    [
        "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou", "ism", "ate", "iti",
        "ous", "ive", "ize",
    ];

    // The rule tables grouped by the character that decides which rules can match (the suffix's penultimate letter for
    // steps 2 and 4, its last letter for step 3), keeping their order: a word is compared only with its own group.
    private static readonly (string Suffix, string Replacement)[]?[] Step2Groups = Group(Step2Rules, fromEnd: 2);
    private static readonly (string Suffix, string Replacement)[]?[] Step3Groups = Group(Step3Rules, fromEnd: 1);
    private static readonly (string Suffix, string Replacement)[]?[] Step4Groups = Group(Step4Suffixes.Select(s => (s, "")).ToArray(), fromEnd: 2);

    private static (string Suffix, string Replacement)[]?[] Group((string Suffix, string Replacement)[] rules, int fromEnd)
    {
        var groups = new (string Suffix, string Replacement)[]?[128];
        foreach (var rule in rules)
        {
            var key = rule.Suffix[^fromEnd];
            groups[key] = [.. groups[key] ?? [], rule];
        }
        return groups;
    }

    /// <summary>Stems one lower-case word.</summary>
    /// <param name="word">The word.</param>
    /// <returns>The stem; the same instance when nothing changed.</returns>
    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length < 3) return word;
        var buffer = word.Length <= 256 ? stackalloc char[word.Length] : new char[word.Length];
        word.AsSpan().CopyTo(buffer);
        var length = Stem(buffer);
        return length == word.Length && buffer.SequenceEqual(word) ? word : new string(buffer[..length]);
    }

    /// <summary>Stems one lower-case word in place.</summary>
    /// <param name="word">The word's characters; on return its first <c>n</c> characters hold the stem.</param>
    /// <returns>The stem's length <c>n</c> (never more than the input length).</returns>
    public static int Stem(Span<char> word)
    {
        if (word.Length < 3) return word.Length;
        var w = new Word(word);
        w.Step1ab();
        w.Step1c();
        w.ApplyRules(Step2Groups, fromEnd: 2);
        w.ApplyRules(Step3Groups, fromEnd: 1);
        w.Step4(Step4Groups);
        w.Step5();
        return w.End + 1;
    }

    /// <summary>The word being stemmed: characters 0..End are the current word, 0..StemEnd the stem of the last suffix match.</summary>
    private ref struct Word(Span<char> chars)
    {
        private readonly Span<char> _b = chars;
        public int End = chars.Length - 1;
        private int _stemEnd;

        // y is a consonant at the start of the word or after a vowel, and a vowel after a consonant.
        private readonly bool IsConsonant(int i) => _b[i] switch
        {
            'a' or 'e' or 'i' or 'o' or 'u' => false,
            'y' => i == 0 || !IsConsonant(i - 1),
            _ => true,
        };

        /// <summary>m: the number of vowel-consonant sequences in 0..<see cref="_stemEnd"/>.</summary>
        private readonly int Measure()
        {
            var n = 0;
            var i = 0;
            while (i <= _stemEnd && IsConsonant(i)) i++;
            while (true)
            {
                while (i <= _stemEnd && !IsConsonant(i)) i++;
                if (i > _stemEnd) return n;
                while (i <= _stemEnd && IsConsonant(i)) i++;
                n++;
                if (i > _stemEnd) return n;
            }
        }

        private readonly bool VowelInStem()
        {
            for (var i = 0; i <= _stemEnd; i++)
            {
                if (!IsConsonant(i)) return true;
            }
            return false;
        }

        private readonly bool IsDoubleConsonant(int i) => i >= 1 && _b[i] == _b[i - 1] && IsConsonant(i);

        /// <summary>*o: i-2, i-1, i is consonant-vowel-consonant and the last is not w, x or y.</summary>
        private readonly bool IsCvc(int i) =>
            i >= 2 && IsConsonant(i) && !IsConsonant(i - 1) && IsConsonant(i - 2) && _b[i] is not ('w' or 'x' or 'y');

        private bool EndsWith(string suffix)
        {
            var start = End - suffix.Length + 1;
            if (start < 0 || !_b.Slice(start, suffix.Length).SequenceEqual(suffix)) return false;
            _stemEnd = start - 1;
            return true;
        }

        private void ReplaceSuffix(string replacement)
        {
            replacement.AsSpan().CopyTo(_b[(_stemEnd + 1)..]);
            End = _stemEnd + replacement.Length;
        }

        /// <summary>Step 1a and 1b: plurals, -eed, -ed and -ing.</summary>
        public void Step1ab()
        {
            if (_b[End] == 's')
            {
                if (EndsWith("sses")) End -= 2;
                else if (EndsWith("ies")) ReplaceSuffix("i");
                else if (_b[End - 1] != 's') End--;
            }
            if (EndsWith("eed"))
            {
                if (Measure() > 0) End--;
            }
            else if ((EndsWith("ed") || EndsWith("ing")) && VowelInStem())
            {
                End = _stemEnd;
                if (EndsWith("at")) ReplaceSuffix("ate");
                else if (EndsWith("bl")) ReplaceSuffix("ble");
                else if (EndsWith("iz")) ReplaceSuffix("ize");
                else if (IsDoubleConsonant(End))
                {
                    if (_b[End] is not ('l' or 's' or 'z')) End--;
                }
                else
                {
                    _stemEnd = End;
                    if (Measure() == 1 && IsCvc(End)) ReplaceSuffix("e");
                }
            }
        }

        /// <summary>Step 1c: a final y becomes i when the stem has a vowel.</summary>
        public void Step1c()
        {
            if (EndsWith("y") && VowelInStem()) _b[End] = 'i';
        }

        /// <summary>Steps 2 and 3: the first matching suffix is replaced when the stem's measure is above zero.</summary>
        public void ApplyRules((string Suffix, string Replacement)[]?[] groups, int fromEnd)
        {
            if (End + 1 < fromEnd) return;
            var key = _b[End + 1 - fromEnd];
            if (key >= groups.Length || groups[key] is not { } rules) return;
            foreach (var (suffix, replacement) in rules)
            {
                if (!EndsWith(suffix)) continue;
                if (Measure() > 0) ReplaceSuffix(replacement);
                return;
            }
        }

        /// <summary>Step 4: the first matching suffix is removed when the stem's measure is above one.</summary>
        public void Step4((string Suffix, string Replacement)[]?[] groups)
        {
            if (End < 1) return;
            var key = _b[End - 1];
            if (key >= groups.Length || groups[key] is not { } rules) return;
            foreach (var (suffix, _) in rules)
            {
                if (!EndsWith(suffix)) continue;
                if (suffix == "ion" && (_stemEnd < 0 || _b[_stemEnd] is not ('s' or 't'))) continue;
                if (Measure() > 1) End = _stemEnd;
                return;
            }
        }

        /// <summary>Step 5: a final e goes when m &gt; 1 (or m = 1 and not *o); a final ll becomes l when m &gt; 1.</summary>
        public void Step5()
        {
            _stemEnd = End; // the reference measures the whole word here, including the e it may remove
            if (_b[End] == 'e')
            {
                var m = Measure();
                if (m > 1 || (m == 1 && !IsCvc(End - 1))) End--;
            }
            if (_b[End] == 'l' && IsDoubleConsonant(End) && Measure() > 1) End--;
        }
    }
}
