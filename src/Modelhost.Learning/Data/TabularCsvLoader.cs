using System.Globalization;

namespace Modelhost.Learning.Data;

/// <summary>Builds a <see cref="TabularDataset"/> from CSV text: every column but the target is a numeric feature.</summary>
internal static class TabularCsvLoader
{
    // pandas' default missing-value spellings that can appear in a numeric column (compared case-insensitively).

    public static TabularDataset Load(TextReader reader, string target, TargetKind kind, CsvLoadOptions options, CancellationToken cancellationToken = default)
    {
        using var csv = new CsvRecordReader(reader, options.Delimiter, options.MaxFileBytes);
        string[] header = ReadHeader(csv, options);
        int targetIndex = Array.IndexOf(header, target);
        if (targetIndex < 0)
        {
            string columns = string.Join(", ", header.Take(20).Select(h => $"'{h}'")) + (header.Length > 20 ? ", ..." : "");
            throw new DatasetFormatException(
                $"There is no target column '{target}' in the header; the columns are {columns}.", 1, null, target);
        }

        if (header.Length < 2)
        {
            throw new DatasetFormatException(
                $"The file has only the target column '{target}'; at least one feature column is needed.", 1, null, null);
        }

        int columnCount = header.Length;
        int featureCount = columnCount - 1;
        string[] featureNames = header.Where((_, i) => i != targetIndex).ToArray();

        var features = new GrowableBuffer<double>(featureCount * 256);
        var regressionTargets = kind == TargetKind.Regression ? new GrowableBuffer<double>(256) : null;
        var provisionalIds = kind == TargetKind.Classification ? new GrowableBuffer<int>(256) : null;
        var labelIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var labelLookup = labelIds.GetAlternateLookup<ReadOnlySpan<char>>();
        var firstSeenLabels = new List<string>();

        long row = 0;
        while (csv.ReadRecord())
        {
            if ((row & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (csv.IsBlankLine)
            {
                continue;
            }

            row++;
            if (row > options.MaxRows)
            {
                throw new DatasetFormatException(
                    $"Row {row} (line {csv.RecordLine}): the file has more than the limit of {options.MaxRows} data rows.", csv.RecordLine, row, null);
            }

            if (csv.FieldCount != columnCount)
            {
                throw new DatasetFormatException(
                    $"Row {row} (line {csv.RecordLine}) has {csv.FieldCount} fields, but the header has {columnCount} columns.",
                    csv.RecordLine,
                    row,
                    null);
            }

            Span<double> values = features.AddSpan(featureCount);
            int feature = 0;
            for (int column = 0; column < columnCount; column++)
            {
                ReadOnlySpan<char> field = csv.Field(column);
                if (column == targetIndex)
                {
                    if (CsvCells.IsMissing(field, CsvCells.MissingTokens))
                    {
                        throw CsvCells.Error(csv, row, header[column], "the target value is missing");
                    }

                    if (regressionTargets is not null)
                    {
                        regressionTargets.Add(ParseNumber(csv, row, header[column], field, float32: false));
                    }
                    else
                    {
                        ReadOnlySpan<char> label = field.Trim();
                        if (!labelLookup.TryGetValue(label, out int id))
                        {
                            id = firstSeenLabels.Count;
                            string text = label.ToString();
                            labelIds.Add(text, id);
                            firstSeenLabels.Add(text);
                        }

                        provisionalIds!.Add(id);
                    }

                    continue;
                }

                values[feature++] = ParseNumber(csv, row, header[column], field, float32: true);
            }
        }

        if (row == 0)
        {
            throw new DatasetFormatException("The file has a header but no data rows.", null, null, null);
        }

        if (regressionTargets is not null)
        {
            return new TabularDataset(features.ToArray(), featureNames, target, TargetKind.Regression, [], [], regressionTargets.ToArray());
        }

        int[] remap = ClassLabelEncoder.Encode(firstSeenLabels, out string[] classLabels);
        if (classLabels.Length < 2)
        {
            throw new DatasetFormatException(
                $"The target column '{target}' has a single class; classification needs at least two.", null, null, target);
        }

        int[] classIds = provisionalIds!.ToArray();
        for (int i = 0; i < classIds.Length; i++)
        {
            classIds[i] = remap[classIds[i]];
        }

        return new TabularDataset(features.ToArray(), featureNames, target, TargetKind.Classification, classIds, classLabels, []);
    }

    private static string[] ReadHeader(CsvRecordReader csv, CsvLoadOptions options)
    {
        do
        {
            if (!csv.ReadRecord())
            {
                throw new DatasetFormatException("The file is empty; a header row naming the columns is expected.", 1, null, null);
            }
        }
        while (csv.IsBlankLine);

        if (csv.FieldCount > options.MaxColumns)
        {
            throw new DatasetFormatException(
                $"Line {csv.RecordLine}: the header has {csv.FieldCount} columns, more than the limit of {options.MaxColumns}.", csv.RecordLine, null, null);
        }

        var header = new string[csv.FieldCount];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < header.Length; i++)
        {
            header[i] = csv.Field(i).Trim().ToString();
            if (header[i].Length == 0)
            {
                throw new DatasetFormatException($"Line {csv.RecordLine}: column {i + 1} of the header has no name.", csv.RecordLine, null, null);
            }

            if (!seen.Add(header[i]))
            {
                throw new DatasetFormatException(
                    $"Line {csv.RecordLine}: the header names column '{header[i]}' twice (columns {Array.IndexOf(header, header[i]) + 1} and {i + 1}).",
                    csv.RecordLine,
                    null,
                    header[i]);
            }
        }

        return header;
    }

    private static double ParseNumber(CsvRecordReader csv, long row, string column, ReadOnlySpan<char> field, bool float32)
    {
        if (CsvCells.IsMissing(field, CsvCells.MissingTokens))
        {
            throw CsvCells.Error(csv, row, column, "the value is missing");
        }

        if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            throw CsvCells.Error(csv, row, column, "not a number");
        }

        if (!double.IsFinite(value) || (float32 && !float.IsFinite((float)value)))
        {
            throw CsvCells.Error(csv, row, column, float32 ? "outside the 32-bit float range that models read" : "not a finite number");
        }

        return value;
    }
}
