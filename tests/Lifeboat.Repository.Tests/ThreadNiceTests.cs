namespace Lifeboat.Repository.Tests;

public class ThreadNiceTests
{
    [Fact]
    public void Lowers_the_priority_of_the_calling_thread_only()
    {
        int? niceOfWorker = null;
        var worker = new Thread(() =>
        {
            Assert.True(Util.ThreadNice.TrySetCurrent(3));
            niceOfWorker = NiceOfCurrentThread();
        });
        worker.Start();
        worker.Join();

        Assert.Equal(3, niceOfWorker);
        Assert.Equal(0, NiceOfCurrentThread());
    }

    /// <summary>Field 19 of /proc/thread-self/stat (counted after the parenthesised command name).</summary>
    private static int NiceOfCurrentThread()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], System.Globalization.CultureInfo.InvariantCulture);
    }
}
