using System.Diagnostics.CodeAnalysis;

namespace Flux.Devices.RegisterMaps;

/// <summary>The data types a register map can hold.</summary>
[SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The members name the data types they stand for, as register maps write them.")]
public enum RegisterDataType
{
    /// <summary>A signed 16-bit integer, one register.</summary>
    Int16 = 0,

    /// <summary>An unsigned 16-bit integer, one register.</summary>
    UInt16 = 1,

    /// <summary>A signed 32-bit integer, two registers.</summary>
    Int32 = 2,

    /// <summary>An unsigned 32-bit integer, two registers.</summary>
    UInt32 = 3,

    /// <summary>An IEEE 754 single-precision float, two registers.</summary>
    Float32 = 4,

    /// <summary>A signed 64-bit integer, four registers.</summary>
    Int64 = 5,

    /// <summary>An unsigned 64-bit integer, four registers.</summary>
    UInt64 = 6,

    /// <summary>An IEEE 754 double-precision float, four registers.</summary>
    Float64 = 7,

    /// <summary>Text, two ASCII characters per register, padded with NUL or spaces.</summary>
    String = 8,
}
