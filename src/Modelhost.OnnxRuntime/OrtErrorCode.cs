namespace Modelhost.OnnxRuntime;

/// <summary>The error codes of ONNX Runtime's C API (<c>OrtErrorCode</c> in onnxruntime_error_code.h), with the same values.</summary>
public enum OrtErrorCode
{
    /// <summary>No error.</summary>
    Ok = 0,

    /// <summary>A failure with no more specific code; the message says what happened.</summary>
    Fail = 1,

    /// <summary>An argument was invalid: a null pointer, an out-of-range value, a wrong name, shape or type.</summary>
    InvalidArgument = 2,

    /// <summary>A file, such as a model, does not exist.</summary>
    NoSuchFile = 3,

    /// <summary>Unused; kept by ONNX Runtime for binary compatibility.</summary>
    NoModel = 4,

    /// <summary>A hardware accelerator or backend engine failed.</summary>
    EngineError = 5,

    /// <summary>ONNX Runtime caught an exception while running; the message is the detail.</summary>
    RuntimeException = 6,

    /// <summary>The model is not a valid ONNX protobuf.</summary>
    InvalidProtobuf = 7,

    /// <summary>The session was in the wrong state for the call (the name is historical).</summary>
    ModelLoaded = 8,

    /// <summary>The operation is not implemented in this build of ONNX Runtime.</summary>
    NotImplemented = 9,

    /// <summary>The model graph is invalid, e.g. an operator is unknown or its inputs do not fit.</summary>
    InvalidGraph = 10,

    /// <summary>An execution provider failed.</summary>
    EpFail = 11,

    /// <summary>Loading the model was cancelled.</summary>
    ModelLoadCanceled = 12,

    /// <summary>The model needs compiling by an execution provider, and that was disabled.</summary>
    ModelRequiresCompilation = 13,

    /// <summary>A requested resource was not found.</summary>
    NotFound = 14,

    /// <summary>The execution provider's device was reset; the session must be recreated.</summary>
    DeviceReset = 15,
}
