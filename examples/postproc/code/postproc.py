"""Compares the results of earlier runs, as a flowServ post-processing step does.

The runs folder holds runs.json, a list of {id, name, files}, and for each run the listed files
under <id>/. The analytics document of every run is written, in ranking order, to one JSON list.
"""

import argparse
import json
import os


def main() -> None:
    parser = argparse.ArgumentParser(description='Compare the analytics of ranked runs.')
    parser.add_argument('--runs', required=True, help='folder with runs.json and one sub-folder per run')
    parser.add_argument('--outputfile', required=True)
    args = parser.parse_args()

    with open(os.path.join(args.runs, 'runs.json'), encoding='utf-8') as f:
        runs = json.load(f)
    compare = []
    for run in runs:
        with open(os.path.join(args.runs, run['id'], 'results', 'analytics.json'), encoding='utf-8') as f:
            analytics = json.load(f)
        compare.append({'run': run['id'], 'name': run['name'], **analytics})
    folder = os.path.dirname(args.outputfile)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(args.outputfile, 'w', encoding='utf-8') as out:
        json.dump(compare, out)


if __name__ == '__main__':
    main()
