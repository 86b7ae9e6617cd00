"""Ajustes de amauta: reglas que cada escuela o jurisdicción define a su manera.

Un archivo YAML en ``$AMAUTA_AJUSTES`` o, si no, en
``$XDG_CONFIG_HOME/amauta/ajustes.yaml`` (``~/.config/amauta/ajustes.yaml``), con una
sección por área, por ejemplo::

    asistencia:
      limite_inasistencias: 15
    calificaciones:
      nota_aprobacion: 6

Cada área define sus valores por defecto y valida su sección con ``seccion()``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from amauta_cli.errores import DatosInvalidos


def ruta_ajustes() -> Path:
    explicita = os.environ.get("AMAUTA_AJUSTES")
    if explicita:
        return Path(explicita).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "amauta" / "ajustes.yaml"


#: Lo ya leído en este proceso: (ruta, bytes del archivo) → contenido. Un comando lee los ajustes
#: de varias áreas (asistencia, calificaciones, calendario): el YAML se analiza una vez.
_LEIDOS: dict[tuple[str, bytes], dict[str, Any]] = {}


def cargar(ruta: Path | None = None) -> dict[str, Any]:
    """Todo el archivo de ajustes (``{}`` si no existe). Devuelve una copia: modificarla no cambia
    lo que leen los demás."""
    import copy

    ruta = ruta or ruta_ajustes()
    if not ruta.is_file():
        if os.environ.get("AMAUTA_AJUSTES"):
            raise DatosInvalidos(f"AMAUTA_AJUSTES apunta a {ruta}, que no existe.")
        return {}
    try:
        crudo = ruta.read_bytes()
    except OSError as e:
        raise DatosInvalidos(f"No se pudo leer el archivo de ajustes {ruta}: {e.strerror}.") from None
    clave = (str(ruta), crudo)
    if clave not in _LEIDOS:
        _LEIDOS.clear()
        _LEIDOS[clave] = _leer(ruta, crudo)
    return copy.deepcopy(_LEIDOS[clave])


def _leer(ruta: Path, crudo: bytes) -> dict[str, Any]:
    import yaml

    try:
        datos = yaml.safe_load(crudo.decode("utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise DatosInvalidos(f"El archivo de ajustes {ruta} no es YAML válido: {e}") from None
    except ValueError:  # PyYAML convierte 2026-09-31 en fecha y falla
        raise DatosInvalidos(
            f"El archivo de ajustes {ruta} tiene una fecha que no existe (por ejemplo 2026-09-31): revise las fechas."
        ) from None
    if not isinstance(datos, dict):
        raise DatosInvalidos(f"El archivo de ajustes {ruta} debe ser un mapa de secciones.")
    return datos


def seccion(nombre: str, por_defecto: dict[str, Any], ruta: Path | None = None) -> dict[str, Any]:
    """Los valores de una sección, completados con ``por_defecto``.

    Rechaza claves desconocidas (un error de tipeo no debe pasar en silencio) y
    valores de un tipo distinto al del valor por defecto.
    """
    ruta = ruta or ruta_ajustes()
    datos = cargar(ruta).get(nombre) or {}
    if not isinstance(datos, dict):
        raise DatosInvalidos(f"{ruta}: la sección '{nombre}' debe ser un mapa de clave: valor.")
    desconocidas = sorted(set(datos) - set(por_defecto))
    if desconocidas:
        raise DatosInvalidos(
            f"{ruta}: {nombre}.{desconocidas[0]} no es un ajuste conocido "
            f"(válidos: {', '.join(sorted(por_defecto))})."
        )
    resultado = dict(por_defecto)
    for clave, valor in datos.items():
        esperado = por_defecto[clave]
        if isinstance(esperado, bool) != isinstance(valor, bool) or (
            isinstance(esperado, (int, float))
            and not isinstance(esperado, bool)
            and not isinstance(valor, (int, float))
        ):
            raise DatosInvalidos(
                f"{ruta}: {nombre}.{clave} debe ser del mismo tipo que su valor por defecto "
                f"({esperado!r}); se leyó {valor!r}."
            )
        resultado[clave] = valor
    return resultado
