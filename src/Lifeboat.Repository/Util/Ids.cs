namespace Lifeboat.Repository.Util;

internal static class Ids
{
    public static bool IsValidHex(string s)
    {
        if (s.Length != 64)
        {
            return false;
        }
        foreach (var c in s)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return true;
    }
}
