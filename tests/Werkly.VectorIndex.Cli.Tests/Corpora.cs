namespace Werkly.VectorIndex.Cli.Tests;

/// <summary>Two small companies whose documents overlap in topic (both have a vacation policy), so that company
/// isolation is tested where it matters: the other company holds a good match.</summary>
internal static class Corpora
{
    public static void WriteAcme(TempFolder folder)
    {
        folder.Write("acme/policies/vacation.md", """
            # Vacation

            Every Acme employee gets 28 vacation days per year. Vacation days that are not used by March 31 of the
            following year expire. Request vacation in the HR portal at least two weeks ahead.

            ## Public holidays

            Public holidays of the office location are free and do not count as vacation days.
            """);
        folder.Write("acme/policies/travel.md", """
            # Business travel

            Hotels are reimbursed up to 160 EUR per night, and up to 220 EUR per night in Paris, London and Tokyo.
            Book trains for trips under four hours; flights need approval from your manager.
            """);
        folder.Write("acme/faq.txt", """
            Where do I find the Wi-Fi password? The guest network password is printed on the kitchen whiteboard.
            Who orders office supplies? The office team orders supplies every Monday.
            """);
    }

    public static void WriteGlobex(TempFolder folder)
    {
        folder.Write("globex/handbook/time-off.md", """
            # Time off at Globex

            Globex staff receive 20 days of paid leave a year, plus one extra day for every five years of service.
            Leave is booked with the team lead by e-mail.
            """);
        folder.Write("globex/security.html", """
            <html><head><title>Security</title></head><body>
            <h1>Security rules</h1>
            <p>Lock your screen whenever you leave your desk. Report a lost badge to reception &amp; security within one hour.</p>
            </body></html>
            """);
    }

    public static readonly string[] AcmeDocuments = ["faq.txt", "policies/travel.md", "policies/vacation.md"];
    public static readonly string[] GlobexDocuments = ["handbook/time-off.md", "security.html"];
}
