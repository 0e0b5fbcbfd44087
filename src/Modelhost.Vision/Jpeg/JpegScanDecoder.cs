namespace Modelhost.Vision.Jpeg;

/// <summary>
/// Decodes the entropy-coded data of one scan (T.81 annexes F and G, Huffman only). Sequential scans go
/// through the inverse DCT block by block; progressive scans accumulate coefficients for the end of the frame.
/// </summary>
internal static class JpegScanDecoder
{
    private enum Mode
    {
        Sequential,
        DcFirst,
        DcRefine,
        AcFirst,
        AcRefine,
    }

    /// <returns>The offset where the scan's data ended: the next marker, normally.</returns>
    public static int Decode(ReadOnlySpan<byte> data, int position, JpegScan scan, bool progressive, int restartInterval, int mcusPerLine, int mcusPerColumn)
    {
        var mode = !progressive ? Mode.Sequential
            : scan.SpectralStart == 0 ? (scan.High == 0 ? Mode.DcFirst : Mode.DcRefine)
            : (scan.High == 0 ? Mode.AcFirst : Mode.AcRefine);
        var reader = new JpegBitReader(data, position);
        Span<short> block = stackalloc short[64];
        var components = scan.Components;
        foreach (var c in components)
        {
            c.DcPredictor = 0;
            c.Scanned = true;
        }

        var eobRun = 0;
        var nextRestart = 0;
        var mcu = 0;
        if (components.Length == 1)
        {
            // A single-component scan is not interleaved: one block per MCU, covering only the blocks that hold
            // image samples (T.81 A.2.2).
            var c = components[0];
            var blocksWide = (c.Width + 7) / 8;
            var blocksHigh = (c.Height + 7) / 8;
            for (var by = 0; by < blocksHigh; by++)
            {
                for (var bx = 0; bx < blocksWide; bx++, mcu++)
                {
                    if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0)
                    {
                        Restart(ref reader, components, ref nextRestart, ref eobRun);
                    }

                    DecodeBlock(ref reader, c, bx, by, mode, scan, block, ref eobRun);
                    reader.ThrowIfOverrun();
                }
            }

            return reader.Position;
        }

        for (var my = 0; my < mcusPerColumn; my++)
        {
            for (var mx = 0; mx < mcusPerLine; mx++, mcu++)
            {
                if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0)
                {
                    Restart(ref reader, components, ref nextRestart, ref eobRun);
                }

                foreach (var c in components)
                {
                    int h = c.HorizontalSampling, v = c.VerticalSampling;
                    for (var iy = 0; iy < v; iy++)
                    {
                        for (var ix = 0; ix < h; ix++)
                        {
                            DecodeBlock(ref reader, c, (mx * h) + ix, (my * v) + iy, mode, scan, block, ref eobRun);
                        }
                    }
                }

                reader.ThrowIfOverrun();
            }
        }

        return reader.Position;
    }

    private static void Restart(ref JpegBitReader reader, JpegComponent[] components, ref int nextRestart, ref int eobRun)
    {
        reader.ReadRestartMarker(nextRestart);
        nextRestart = (nextRestart + 1) & 7;
        eobRun = 0;
        foreach (var c in components)
        {
            c.DcPredictor = 0;
        }
    }

    private static void DecodeBlock(ref JpegBitReader reader, JpegComponent c, int bx, int by, Mode mode, JpegScan scan, scoped Span<short> block, ref int eobRun)
    {
        if (mode == Mode.Sequential)
        {
            DecodeSequential(ref reader, c, block);
            var stride = c.PlaneStride;
            JpegIdct.Transform(block, c.Quant, c.Plane.AsSpan((by * 8 * stride) + (bx * 8)), stride);
            return;
        }

        var coefficients = c.Coefficients.AsSpan(((by * c.BlocksPerLine) + bx) * 64, 64);
        switch (mode)
        {
            case Mode.DcFirst:
                var size = reader.Decode(c.DcTable!);
                c.DcPredictor += size == 0 ? 0 : reader.ReceiveExtend(size);
                coefficients[0] = (short)(c.DcPredictor * (1 << scan.Low));
                break;
            case Mode.DcRefine:
                if (reader.ReadBit() != 0)
                {
                    coefficients[0] |= (short)(1 << scan.Low);
                }

                break;
            case Mode.AcFirst:
                DecodeAcFirst(ref reader, c.AcTable!, coefficients, scan, ref eobRun);
                break;
            default:
                DecodeAcRefine(ref reader, c.AcTable!, coefficients, scan, ref eobRun);
                break;
        }
    }

    private static void DecodeSequential(ref JpegBitReader reader, JpegComponent c, scoped Span<short> block)
    {
        block.Clear();
        var size = reader.Decode(c.DcTable!);
        c.DcPredictor += size == 0 ? 0 : reader.ReceiveExtend(size);
        block[0] = (short)c.DcPredictor;
        var ac = c.AcTable!;
        var order = JpegZigZag.NaturalOrder;
        for (var k = 1; k < 64; k++)
        {
            var symbol = reader.Decode(ac);
            int run = symbol >> 4, bits = symbol & 15;
            if (bits == 0)
            {
                if (run != 15)
                {
                    break; // end of block
                }

                k += 15; // sixteen zeros
                continue;
            }

            k += run;
            if (k > 63)
            {
                throw JpegDecoder.Corrupt("AC coefficients run past the end of a block");
            }

            block[order[k]] = (short)reader.ReceiveExtend(bits);
        }
    }

    private static void DecodeAcFirst(ref JpegBitReader reader, JpegHuffmanTable table, Span<short> coefficients, JpegScan scan, ref int eobRun)
    {
        if (eobRun > 0)
        {
            eobRun--;
            return;
        }

        var order = JpegZigZag.NaturalOrder;
        var end = scan.SpectralEnd;
        for (var k = scan.SpectralStart; k <= end; k++)
        {
            var symbol = reader.Decode(table);
            int run = symbol >> 4, bits = symbol & 15;
            if (bits == 0)
            {
                if (run < 15)
                {
                    // EOBn: this block and 2^n - 1 + (n extra bits) more end here.
                    eobRun = (1 << run) - 1;
                    if (run > 0)
                    {
                        eobRun += reader.ReadBits(run);
                    }

                    break;
                }

                k += 15;
                continue;
            }

            k += run;
            if (k > end)
            {
                throw JpegDecoder.Corrupt("AC coefficients run past the end of the spectral band");
            }

            coefficients[order[k]] = (short)(reader.ReceiveExtend(bits) * (1 << scan.Low));
        }
    }

    // T.81 G.1.2.3: each coefficient already non-zero gets one correction bit as the run passes it; zero ones
    // count towards the run, and a newly significant one is ±1 at this bit position.
    private static void DecodeAcRefine(ref JpegBitReader reader, JpegHuffmanTable table, Span<short> coefficients, JpegScan scan, ref int eobRun)
    {
        var order = JpegZigZag.NaturalOrder;
        var end = scan.SpectralEnd;
        var plus = 1 << scan.Low;
        var minus = -1 << scan.Low;
        var k = scan.SpectralStart;
        if (eobRun == 0)
        {
            for (; k <= end; k++)
            {
                var symbol = reader.Decode(table);
                int run = symbol >> 4, bits = symbol & 15;
                var value = 0;
                if (bits != 0)
                {
                    if (bits != 1)
                    {
                        throw JpegDecoder.Corrupt("invalid coefficient size in a refinement scan");
                    }

                    value = reader.ReadBit() != 0 ? plus : minus;
                }
                else if (run != 15)
                {
                    eobRun = 1 << run;
                    if (run > 0)
                    {
                        eobRun += reader.ReadBits(run);
                    }

                    break;
                }

                // Skip `run` zero coefficients (refining the non-zero ones on the way) and stop on the next zero.
                for (; k <= end; k++)
                {
                    ref var coefficient = ref coefficients[order[k]];
                    if (coefficient != 0)
                    {
                        Refine(ref reader, ref coefficient, plus, minus);
                    }
                    else if (--run < 0)
                    {
                        break;
                    }
                }

                if (value != 0)
                {
                    if (k > end)
                    {
                        throw JpegDecoder.Corrupt("AC coefficients run past the end of the spectral band");
                    }

                    coefficients[order[k]] = (short)value;
                }
            }
        }

        if (eobRun > 0)
        {
            // Inside an end-of-band run: the rest of the band only gets correction bits.
            for (; k <= end; k++)
            {
                ref var coefficient = ref coefficients[order[k]];
                if (coefficient != 0)
                {
                    Refine(ref reader, ref coefficient, plus, minus);
                }
            }

            eobRun--;
        }
    }

    private static void Refine(ref JpegBitReader reader, ref short coefficient, int plus, int minus)
    {
        if (reader.ReadBit() != 0 && (coefficient & plus) == 0)
        {
            coefficient += (short)(coefficient >= 0 ? plus : minus);
        }
    }
}
