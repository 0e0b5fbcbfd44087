#!/usr/bin/python3
"""scikit-learn's side of bench/Learners: the same datasets, split protocol and learners, the same JSON.

Usage: sklearn_learners.py --data DIR --out FILE [--repetitions N] [--write-splits FILE]

Run with Debian's /usr/bin/python3 (python3-sklearn). For iris.csv and wine.csv in DIR: a stratified 30% test split
with random_state=1234 (train_test_split), then RandomForestClassifier(n_estimators=300, random_state=1234) with
n_jobs=1 and n_jobs=2, and LogisticRegression(C=1, lbfgs, max_iter=1000) on standardized features (a pipeline with
StandardScaler, as Modelhost's logistic regression standardizes internally). Each is trained once unmeasured, then N
times measured: wall time (perf_counter) and this process's CPU time over all its threads (process_time).
--write-splits writes the test row numbers per dataset, so that the Modelhost side scores the same rows.
"""

import argparse
import csv
import json
import os
import platform
import statistics
import sys
import time

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

SEED = 1234
TREES = 300
TEST_SIZE = 0.3
DATASETS = (("iris", "species"), ("wine", "cultivar"))


def load(path, target):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    t = header.index(target)
    x = np.array([[float(v) for i, v in enumerate(r) if i != t] for r in body])
    y = np.array([r[t].strip() for r in body])
    return x, y


def measure(name, model_name, threads, make, x_train, y_train, x_test, y_test, repetitions):
    fitted = make().fit(x_train, y_train)  # warm-up, unmeasured
    wall, cpu = [], []
    for _ in range(repetitions):
        model = make()
        c0, w0 = time.process_time(), time.perf_counter()
        model.fit(x_train, y_train)
        wall.append((time.perf_counter() - w0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        fitted = model
    predicted = fitted.predict(x_test)
    acc = accuracy_score(y_test, predicted)
    f1 = f1_score(y_test, predicted, average="macro")
    print(f"sklearn_learners: {name} {model_name} ({threads} job(s)): accuracy {acc:.4f}, macro-F1 {f1:.4f}, "
          f"median {statistics.median(wall):.1f} ms wall, {statistics.median(cpu):.1f} ms CPU", file=sys.stderr)
    return {
        "dataset": name, "model": model_name, "threads": threads,
        "train_rows": int(len(y_train)), "test_rows": int(len(y_test)),
        "accuracy": float(acc), "macro_f1": float(f1),
        "wall_ms_median": statistics.median(wall), "cpu_ms_median": statistics.median(cpu),
        "wall_ms": [round(v, 3) for v in wall], "cpu_ms": [round(v, 3) for v in cpu],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--repetitions", type=int, default=10)
    ap.add_argument("--write-splits")
    a = ap.parse_args()
    reps = max(1, min(a.repetitions, 1000))

    results, splits = [], {}
    for name, target in DATASETS:
        x, y = load(os.path.join(a.data, name + ".csv"), target)
        rows = np.arange(len(y))
        train_rows, test_rows = train_test_split(rows, test_size=TEST_SIZE, random_state=SEED, stratify=y)
        splits[name] = {"test": [int(i) for i in test_rows]}
        xtr, ytr, xte, yte = x[train_rows], y[train_rows], x[test_rows], y[test_rows]
        for jobs in (1, 2):
            results.append(measure(name, "random_forest", jobs,
                                   lambda jobs=jobs: RandomForestClassifier(n_estimators=TREES, random_state=SEED, n_jobs=jobs),
                                   xtr, ytr, xte, yte, reps))
        results.append(measure(name, "logistic_regression", 1,
                               lambda: make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000)),
                               xtr, ytr, xte, yte, reps))

    doc = {
        "name": "learners_sklearn",
        "implementation": f"scikit-learn {sklearn.__version__}, numpy {np.__version__}, Python {platform.python_version()}",
        "repetitions": reps, "split": "sklearn", "processors": os.cpu_count(), "results": results,
    }
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
    if a.write_splits:
        with open(a.write_splits, "w", encoding="utf-8") as f:
            json.dump(splits, f)


if __name__ == "__main__":
    main()
