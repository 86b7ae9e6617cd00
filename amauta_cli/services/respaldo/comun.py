"""Piezas compartidas por el flujo y los motores de respaldo: ajustes, constantes, callbacks
y la búsqueda del módulo de cada motor por su nombre."""

from __future__ import annotations

import importlib
import os
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, ContextManager, Iterator

from amauta_cli.errores import AmautaError, DatosInvalidos

TIPO_MANIFIESTO = "amauta-respaldo"
VERSION_MANIFIESTO = 1
#: Formatos de ``pg_dump`` que ``amauta db backup --formato`` acepta.
FORMATOS_PG = ("custom", "sql")
BLOQUE = 1 << 20

#: ``progreso(descripcion, total)`` → administrador de contexto que da ``avanzar(n)``.
Progreso = Callable[[str, "int | None"], ContextManager[Callable[[int], None]]]
#: ``avisar(texto)`` / ``informar(texto)``: un mensaje para el usuario (español, sin markup).
Mensaje = Callable[[str], None]


@contextmanager
def sin_progreso(_descripcion: str, _total: int | None = None) -> Iterator[Callable[[int], None]]:
    yield lambda _n=1: None


def callar(_texto: str) -> None:
    """Un ``avisar``/``informar`` que no dice nada."""


# --- Un módulo por motor, buscado por su nombre ---------------------------------------------------
#: Cada módulo ofrece la misma interfaz (ver ``flujo.py``); el flujo no pregunta por el motor.
_MOTORES = {
    "postgresql": "amauta_cli.services.respaldo.postgresql",
    "sqlite": "amauta_cli.services.respaldo.sqlite",
}
#: Motor de cada formato de archivo reconocido por su contenido (``inspeccion.detectar_formato``).
MOTOR_DE_FORMATO = {
    "custom": "postgresql",
    "sql": "postgresql",
    "sql.gz": "postgresql",
    "sqlite": "sqlite",
    "sqlite.gz": "sqlite",
}
NOMBRES_MOTOR = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


def motor_respaldo(nombre: str) -> ModuleType:
    """El módulo de respaldo del motor ``nombre`` (``postgresql`` o ``sqlite``)."""
    try:
        return importlib.import_module(_MOTORES[nombre])
    except KeyError:
        raise AmautaError(f"Motor no soportado para respaldos: {nombre}.") from None


def nombre_motor(m: str) -> str:
    return NOMBRES_MOTOR.get(m, m)


# --- Ajustes y carpeta -----------------------------------------------------------------------------
AJUSTES_POR_DEFECTO: dict[str, Any] = {
    # Carpeta de los respaldos ("" = $XDG_DATA_HOME/amauta/respaldos).
    "directorio": "",
    # Formato de pg_dump por defecto: custom o sql.
    "formato": "custom",
    # Respaldos a conservar por base tras cada `amauta db backup` (0 = todos).
    "conservar": 0,
}


def ajustes() -> dict[str, Any]:
    from amauta_cli.ajustes import ruta_ajustes, seccion

    a = seccion("respaldos", AJUSTES_POR_DEFECTO)
    if a["formato"] not in FORMATOS_PG:
        raise DatosInvalidos(
            f"{ruta_ajustes()}: respaldos.formato vale '{a['formato']}'; "
            f"los valores válidos son {', '.join(FORMATOS_PG)}."
        )
    if a["conservar"] < 0:
        raise DatosInvalidos(f"{ruta_ajustes()}: respaldos.conservar debe ser 0 o mayor.")
    return a


def directorio_respaldos() -> Path:
    """La carpeta de respaldos: ``respaldos.directorio`` o ``$XDG_DATA_HOME/amauta/respaldos``."""
    d = ajustes()["directorio"]
    if d:
        return Path(d).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "amauta" / "respaldos"


def ahora() -> datetime:
    return datetime.now().astimezone()

