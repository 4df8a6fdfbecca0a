namespace Lifeboat.Repository;

/// <summary>A repository-level failure with a one-line message naming the object involved.</summary>
public class RepositoryException : Exception
{
    public RepositoryException(string message) : base(message)
    {
    }

    public RepositoryException(string message, Exception inner) : base(message, inner)
    {
    }
}

/// <summary>No key file could be opened with the given password.</summary>
public sealed class WrongPasswordException : RepositoryException
{
    public WrongPasswordException(string location) : base($"wrong password or no key found for repository {location}")
    {
    }
}
