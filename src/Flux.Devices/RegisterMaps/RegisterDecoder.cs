namespace Flux.Devices.RegisterMaps;

/// <summary>Turns a point's raw registers into a <see cref="RegisterReading"/>.</summary>
public static class RegisterDecoder
{
    /// <summary>Decodes a register point.</summary>
    /// <param name="register">The point.</param>
    /// <param name="words">Its registers, exactly <see cref="RegisterDefinition.Count"/> of them.</param>
    /// <param name="scaling">The scale factors named by <see cref="RegisterDefinition.ScaleKey"/>.</param>
    /// <returns>The reading.</returns>
    /// <exception cref="ArgumentException">The point names a scale factor <paramref name="scaling"/> does not have.</exception>
    public static RegisterReading Decode(RegisterDefinition register, ReadOnlySpan<ushort> words, IReadOnlyDictionary<string, double>? scaling = null)
    {
        ArgumentNullException.ThrowIfNull(register);
        if (register.DataType == RegisterDataType.String)
        {
            var text = RegisterCodec.ReadString(words, register.Order);
            return new RegisterReading { Name = register.Name, Value = null, Text = text.Length == 0 ? null : text, Unit = register.Unit };
        }

        if (register.NotAvailable == Raw(register, words))
        {
            // Before the factor is looked up, as always: a missing reading needs no scale.
            return new RegisterReading { Name = register.Name, Value = null, Text = null, Unit = register.Unit };
        }

        var scale = ScaleOf(register, scaling);
        return new RegisterReading { Name = register.Name, Value = TryDecodeNumber(register, words, scale, out var value) ? value : null, Text = null, Unit = register.Unit };
    }

    /// <summary>
    /// Decodes a numeric register point without allocating: <c>raw × <paramref name="scale"/> + offset</c>, or nothing
    /// when the raw value is the point's <see cref="RegisterDefinition.NotAvailable"/> sentinel or not a finite number.
    /// </summary>
    /// <param name="register">The point (not a string).</param>
    /// <param name="words">Its registers, exactly <see cref="RegisterDefinition.Count"/> of them.</param>
    /// <param name="scale">The factor (<see cref="ScaleOf"/>, times any other the caller applies).</param>
    /// <param name="value">The scaled value.</param>
    /// <returns>Whether the device reported a value.</returns>
    internal static bool TryDecodeNumber(RegisterDefinition register, ReadOnlySpan<ushort> words, double scale, out double value)
    {
        var raw = Raw(register, words);
        if (register.NotAvailable == raw)
        {
            value = 0;
            return false;
        }

        value = register.DataType switch
        {
            RegisterDataType.Int16 => (short)raw,
            RegisterDataType.UInt16 => (ushort)raw,
            RegisterDataType.Int32 => (int)raw,
            RegisterDataType.UInt32 => (uint)raw,
            RegisterDataType.Float32 => BitConverter.UInt32BitsToSingle((uint)raw),
            RegisterDataType.Int64 => (long)raw,
            RegisterDataType.UInt64 => raw,
            RegisterDataType.Float64 => BitConverter.UInt64BitsToDouble(raw),
            _ => throw new ArgumentOutOfRangeException(nameof(register), register.DataType, "Not a numeric data type."),
        };
        if (!double.IsFinite(value))
        {
            value = 0;
            return false;
        }

        value = (value * scale) + register.Offset;
        return true;
    }

    /// <summary>Decodes a bit point (a coil or discrete input) as 0 or 1.</summary>
    /// <param name="register">The point.</param>
    /// <param name="bit">The bit.</param>
    /// <returns>The reading.</returns>
    public static RegisterReading DecodeBit(RegisterDefinition register, bool bit)
    {
        ArgumentNullException.ThrowIfNull(register);
        return new RegisterReading { Name = register.Name, Value = bit ? 1 : 0, Text = null, Unit = register.Unit };
    }

    /// <summary>Gets the factor a point is scaled by.</summary>
    /// <param name="register">The point.</param>
    /// <param name="scaling">The named factors.</param>
    /// <returns>The factor.</returns>
    public static double ScaleOf(RegisterDefinition register, IReadOnlyDictionary<string, double>? scaling)
    {
        ArgumentNullException.ThrowIfNull(register);
        if (register.ScaleKey is not { } key)
        {
            return register.Scale;
        }

        return scaling is not null && scaling.TryGetValue(key, out var factor)
            ? factor
            : throw new ArgumentException($"Point '{register.Name}' scales by '{key}', which the scaling given does not define.", nameof(scaling));
    }

    private static ulong Raw(RegisterDefinition register, ReadOnlySpan<ushort> words) => RegisterCodec.RegisterCount(register.DataType) switch
    {
        1 => RegisterCodec.ReadUInt16(words, register.Order),
        2 => RegisterCodec.ReadUInt32(words, register.Order),
        _ => RegisterCodec.ReadUInt64(words, register.Order),
    };
}
