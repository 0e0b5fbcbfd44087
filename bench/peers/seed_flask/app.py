"""The seed: a hand-written Flask app serving scikit-learn's iris random forest.

Rebuilt from the seed's description for the benchmark. The seed unpickled a trained model at import; Modelhost's
rule is never to unpickle anything, so this trains the same model at startup instead (same estimator, same data,
same split, same seeds) and keeps it in memory. What a request costs is the same either way.

    gunicorn -w 2 -b 127.0.0.1:PORT --chdir bench/peers/seed_flask app:app
"""

import numpy as np
from flask import Flask, jsonify, request
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

try:
    import pandas as pd
except ImportError:  # the seed used pandas when it was there; a numpy row otherwise
    pd = None

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]

iris = load_iris()
X_train, X_test, y_train, y_test = train_test_split(iris.data, iris.target, test_size=0.3, random_state=1234)
if pd is not None:
    X_train = pd.DataFrame(X_train, columns=FEATURES)
model = RandomForestClassifier(n_estimators=300, random_state=1234)
model.fit(X_train, y_train)

app = Flask(__name__)


@app.route("/predict", methods=["POST"])
def predict():
    payload = request.get_json(force=True)
    rows = payload if isinstance(payload, list) else [payload]
    if pd is not None:
        df = pd.DataFrame(rows, columns=FEATURES)
    else:
        df = np.array([[float(row[name]) for name in FEATURES] for row in rows])
    return jsonify({"result": model.predict(df).tolist()})


@app.route("/health", methods=["GET"])
def health():
    return jsonify({"status": "ok", "pandas": pd is not None, "test_accuracy": float(model.score(
        pd.DataFrame(X_test, columns=FEATURES) if pd is not None else X_test, y_test))})
