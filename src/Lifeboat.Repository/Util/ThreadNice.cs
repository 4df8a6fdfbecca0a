using System.Runtime.InteropServices;

namespace Lifeboat.Repository.Util;

/// <summary>
/// Lowers the scheduling priority of the calling thread (Linux: nice is per thread). .NET's Thread.Priority does
/// nothing on Linux, and raising a priority needs privileges, so a pipeline favours its single-threaded stage by
/// making its parallel stages nicer instead.
/// </summary>
internal static partial class ThreadNice
{
    private const int PrioProcess = 0;
    private const long SysGettidX64 = 186;
    private const long SysGettidArm64 = 178;

    [LibraryImport("libc", EntryPoint = "syscall")]
    private static partial long Syscall(long number);

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);

    /// <summary>Sets the calling thread's nice value; best effort (false where the system refuses or is not Linux).</summary>
    public static bool TrySetCurrent(int nice)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        var number = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => SysGettidX64,
            Architecture.Arm64 => SysGettidArm64,
            _ => -1,
        };
        if (number < 0)
        {
            return false;
        }
        var tid = (int)Syscall(number);
        return tid > 0 && SetPriority(PrioProcess, tid, nice) == 0;
    }
}
