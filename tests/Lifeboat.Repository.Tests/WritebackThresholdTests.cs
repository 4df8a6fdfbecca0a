using Lifeboat.Repository.Restoring;

namespace Lifeboat.Repository.Tests;

public class WritebackThresholdTests : IDisposable
{
    private readonly string _proc = Directory.CreateTempSubdirectory("lifeboat-proc-").FullName;

    [Fact]
    public void Ratio_of_available_memory_is_the_threshold_when_no_byte_count_is_set()
    {
        WriteProc(bytes: "0", ratio: "10", meminfo: "MemTotal:       24683624 kB\nMemFree:        21000000 kB\nMemAvailable:   24153708 kB\n");

        Assert.Equal(24153708L * 1024 / 100 * 10, WritebackThreshold.FromProc(_proc));
    }

    [Fact]
    public void Dirty_background_bytes_wins_over_the_ratio_as_in_the_kernel()
    {
        WriteProc(bytes: "536870912\n", ratio: "10", meminfo: "MemAvailable:   24153708 kB\n");

        Assert.Equal(512L << 20, WritebackThreshold.FromProc(_proc));
    }

    [Fact]
    public void A_small_machine_still_writes_back_no_more_often_than_every_128_MiB()
    {
        WriteProc(bytes: "0", ratio: "10", meminfo: "MemAvailable:     524288 kB\n");

        Assert.Equal(WritebackThreshold.Minimum, WritebackThreshold.FromProc(_proc));
    }

    [Fact]
    public void Unreadable_or_garbled_proc_files_give_the_minimum_instead_of_failing_the_restore()
    {
        Assert.Equal(WritebackThreshold.Minimum, WritebackThreshold.FromProc(Path.Combine(_proc, "missing")));

        WriteProc(bytes: "lots", ratio: "10", meminfo: "MemAvailable: 1 kB\n");
        Assert.Equal(WritebackThreshold.Minimum, WritebackThreshold.FromProc(_proc));
    }

    public void Dispose() => Directory.Delete(_proc, recursive: true);

    private void WriteProc(string bytes, string ratio, string meminfo)
    {
        Directory.CreateDirectory(Path.Combine(_proc, "sys", "vm"));
        File.WriteAllText(Path.Combine(_proc, "sys/vm/dirty_background_bytes"), bytes);
        File.WriteAllText(Path.Combine(_proc, "sys/vm/dirty_background_ratio"), ratio);
        File.WriteAllText(Path.Combine(_proc, "meminfo"), meminfo);
    }
}
