"""The seed's model behind FastAPI and uvicorn: what a team would pick today instead of Flask + gunicorn.

The same forest as the Flask peer (bench/peers/seed_flask): scikit-learn's iris random forest, 300 trees, trained at
startup on the same split with the same seeds rather than unpickled (Modelhost's rule is never to unpickle anything;
what a request costs is the same either way). The handler is async and reads the body itself, the fastest way
FastAPI offers (no pydantic model, no thread-pool hop), so the ratio against it is not flattered.

    uvicorn --workers 2 --host 127.0.0.1 --port PORT --no-access-log --app-dir bench/peers/seed_fastapi app:app
"""

import numpy as np
from fastapi import FastAPI, Request
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

try:
    import pandas as pd
except ImportError:  # as the seed: a DataFrame when pandas is there, a numpy row otherwise
    pd = None

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]

_iris = load_iris()
_x_train, _x_test, _y_train, _y_test = train_test_split(_iris.data, _iris.target, test_size=0.3, random_state=1234)
forest = RandomForestClassifier(n_estimators=300, random_state=1234)
forest.fit(pd.DataFrame(_x_train, columns=FEATURES) if pd is not None else _x_train, _y_train)

app = FastAPI()


def _frame(rows):
    if pd is not None:
        return pd.DataFrame(rows, columns=FEATURES)
    return np.array([[float(row[name]) for name in FEATURES] for row in rows])


@app.post("/predict")
async def predict(request: Request):
    payload = await request.json()
    rows = payload if isinstance(payload, list) else [payload]
    return {"result": forest.predict(_frame(rows)).tolist()}


@app.get("/health")
async def health():
    return {"status": "ok", "pandas": pd is not None, "test_accuracy": float(forest.score(_frame(
        [dict(zip(FEATURES, row)) for row in _x_test]), _y_test))}
