namespace Lifeboat.Cli;

/// <summary>Turns an exception into the single line a user sees.</summary>
internal static class ErrorText
{
    public static string OneLine(Exception ex)
    {
        // Wrapper exceptions (aggregate, type initialisation, task) say nothing useful; the innermost cause does.
        while (ex is AggregateException { InnerExceptions.Count: 1 } or TypeInitializationException && ex.InnerException is not null)
        {
            ex = ex.InnerException!;
        }

        var message = string.IsNullOrWhiteSpace(ex.Message) ? ex.GetType().Name : ex.Message;
        return string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
