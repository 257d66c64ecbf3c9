"""Writes '<greeting> <name>!' for every name in the input file (one name per line).

The output is appended to, and its folder is created when missing, as in flowServ's
Hello World benchmark.
"""

import argparse
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description='Greet every name in a file.')
    parser.add_argument('--inputfile', required=True)
    parser.add_argument('--outputfile', required=True)
    parser.add_argument('--greeting', default='Hello')
    parser.add_argument('--sleeptime', type=float, default=1.0)
    args = parser.parse_args()

    with open(args.inputfile, encoding='utf-8') as f:
        names = [line.strip() for line in f if line.strip()]
    folder = os.path.dirname(args.outputfile)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(args.outputfile, 'a', encoding='utf-8') as out:
        for name in names:
            time.sleep(args.sleeptime / max(len(names), 1))
            out.write(f'{args.greeting} {name}!\n')


if __name__ == '__main__':
    main()
