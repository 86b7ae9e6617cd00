"""El entorno de una base (produccion, desarrollo, pruebas), guardado en la propia base.

``amauta db entorno produccion`` lo registra en ``_amauta_meta``; ``amauta seed``,
``amauta seed --reset`` y las operaciones destructivas lo consultan. La variable
``AMAUTA_ENV=produccion`` también cuenta como producción.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from amauta_cli.errores import DatosInvalidos, ErrorMigracion, OperacionRechazada

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection

ENTORNOS = ("produccion", "desarrollo", "pruebas")
CLAVE = "entorno"


def normalizar(valor: str) -> str:
    from amauta_cli.parsing import sin_acentos

    v = sin_acentos(valor.strip())
    if v not in ENTORNOS:
        raise DatosInvalidos(
            f"entorno: '{valor}' no es un valor válido ({', '.join(ENTORNOS)})"
        )
    return v


def _tiene_tabla(con: Any) -> bool:
    from amauta_cli.db import cruda

    c = cruda(con)
    return c.d.existe_tabla(c, "_amauta_meta")


def leer(con: Any) -> str | None:
    """El entorno registrado en la base, o None si no se registró ninguno.

    ``con``: una conexión o sesión de SQLAlchemy, o una ``db.Cruda``.
    """
    from amauta_cli.db import cruda

    c = cruda(con)
    if not c.d.existe_tabla(c, "_amauta_meta"):
        return None
    return c.valor('SELECT valor FROM "_amauta_meta" WHERE clave = :c', c=CLAVE)


def marcar(con: "Connection", valor: str) -> tuple[str | None, str]:
    """Registra el entorno; devuelve (anterior, nuevo)."""
    from sqlalchemy import delete, insert

    from amauta_cli.ids import ahora
    from amauta_cli.models import amauta_meta

    nuevo = normalizar(valor)
    if not _tiene_tabla(con):
        raise ErrorMigracion(
            "La base no tiene la tabla de amauta `_amauta_meta`. "
            "Ejecute primero `amauta db migrate`."
        )
    anterior = leer(con)
    con.execute(delete(amauta_meta).where(amauta_meta.c.clave == CLAVE))
    con.execute(insert(amauta_meta).values(clave=CLAVE, valor=nuevo, updatedAt=ahora()))
    return anterior, nuevo


def variable_produccion() -> bool:
    return os.environ.get("AMAUTA_ENV", "").strip().lower() in ("produccion", "producción")


def exigir_no_produccion(con: "Connection | None", accion: str) -> None:
    """Rechaza ``accion`` en una base marcada como producción o con AMAUTA_ENV=produccion."""
    if variable_produccion():
        raise OperacionRechazada(
            f"{accion} se rechaza porque la variable de entorno AMAUTA_ENV vale 'produccion'. "
            "El diseño lo prohíbe: «No usar en producción». Si esta máquina no es de "
            "producción, quite la variable (`unset AMAUTA_ENV`) y vuelva a intentarlo."
        )
    if con is not None and leer(con) == "produccion":
        raise OperacionRechazada(
            f"{accion} se rechaza porque esta base está marcada como producción "
            "(`amauta db entorno`). El diseño lo prohíbe: «No usar en producción». "
            "Si de verdad no es una base de producción, cámbiela deliberadamente con "
            "`amauta db entorno desarrollo` y vuelva a intentarlo."
        )
