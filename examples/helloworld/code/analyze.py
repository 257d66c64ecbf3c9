"""Summarises a greetings file as JSON: average and total characters per line, and the longest
line with its length. The JSON document is appended to the output file."""

import argparse
import json
import os


def main() -> None:
    parser = argparse.ArgumentParser(description='Summarise greetings.')
    parser.add_argument('--inputfile', required=True)
    parser.add_argument('--outputfile', required=True)
    args = parser.parse_args()

    with open(args.inputfile, encoding='utf-8') as f:
        lines = [line.strip() for line in f if line.strip()]
    total = sum(len(line) for line in lines)
    longest = max(lines, key=len) if lines else None
    doc = {
        'avg_count': total / len(lines) if lines else 0.0,
        'total_count': total,
        'max_len': len(longest) if longest is not None else 0,
        'max_line': longest,
    }
    folder = os.path.dirname(args.outputfile)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(args.outputfile, 'a', encoding='utf-8') as out:
        json.dump(doc, out)


if __name__ == '__main__':
    main()
