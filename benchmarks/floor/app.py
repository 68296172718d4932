"""The benchmark floor: a Starlette app over a psycopg 3 async pool, served by uvicorn.

It does the least any JSON-over-PostgreSQL service must do and nothing more (no auth, no
validation beyond JSON parsing, no audit), so Careloop's figures read as ratios to it:

- POST /events          parse the JSON body, insert it as one jsonb row, 201 with the body;
- GET /events/{patient} that patient's 50 most recent rows, by index, as a JSON array.

Run: FLOOR_DATABASE_URL=postgresql://... uvicorn benchmarks.floor.app:app --workers 2
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

INSERT = "INSERT INTO bench_floor_event (patient_id, recorded_at, body) VALUES (%s, now(), %s)"
LAST_50 = (
    "SELECT body FROM bench_floor_event WHERE patient_id = %s ORDER BY recorded_at DESC LIMIT 50"
)
# Concurrency 16 over 2 worker processes: 8 connections each, so no request waits for one.
POOL_SIZE = int(os.environ.get("FLOOR_POOL_SIZE", "8"))

pool = AsyncConnectionPool(
    os.environ.get("FLOOR_DATABASE_URL", "postgresql://root@127.0.0.1:5432/postgres"),
    min_size=POOL_SIZE,
    max_size=POOL_SIZE,
    open=False,
)


async def create_event(request: Request) -> Response:
    try:
        body = json.loads(await request.body())
        patient_id = uuid.UUID(str(body["patient_id"]))
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"detail": "expected a JSON object with a patient_id"}, 422)
    async with pool.connection() as connection:
        await connection.execute(INSERT, (patient_id, Jsonb(body)))
    return JSONResponse(body, status_code=201)


async def patient_events(request: Request) -> Response:
    try:
        patient_id = uuid.UUID(request.path_params["patient_id"])
    except ValueError:
        return JSONResponse({"detail": "not a patient id"}, 404)
    async with pool.connection() as connection:
        cursor = await connection.execute(LAST_50, (patient_id,))
        rows = await cursor.fetchall()
    return JSONResponse([row[0] for row in rows])


async def health(request: Request) -> Response:
    return Response("ok", media_type="text/plain")


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    await pool.open(wait=True)
    try:
        yield
    finally:
        await pool.close()


app = Starlette(
    routes=[
        Route("/events", create_event, methods=["POST"]),
        Route("/events/{patient_id}", patient_events, methods=["GET"]),
        Route("/healthz", health, methods=["GET"]),
    ],
    lifespan=lifespan,
)
