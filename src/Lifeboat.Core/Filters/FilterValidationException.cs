namespace Lifeboat.Core.Filters;

/// <summary>A backup or restore filter that cannot be used as given (Velero's FailedValidation).</summary>
public sealed class FilterValidationException(string message) : Exception(message);
