"""El manifiesto JSON de cada respaldo, el listado de una carpeta y la conservación."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from amauta_cli.errores import DatosInvalidos, NoEncontrado

from .comun import TIPO_MANIFIESTO, directorio_respaldos, motor_respaldo

#: Empieza como un respaldo de amauta: ``amauta-AAAAMMDD-HHMMSS...`` (a uno así no se le
#: perdona que le falte el manifiesto).
PATRON_NOMBRE = re.compile(r"^amauta-\d{8}-\d{6}")


@lru_cache(maxsize=1)
def _patron_propio() -> re.Pattern[str]:
    """El nombre completo que amauta da a sus respaldos:
    ``amauta-AAAAMMDD-HHMMSS[-motivo][-N].<extensión de algún motor>``."""
    extensiones = sorted(
        {e for m in ("postgresql", "sqlite") for e in motor_respaldo(m).EXTENSIONES.values()},
        key=len,
        reverse=True,
    )
    return re.compile(
        r"^amauta-\d{8}-\d{6}(?:-[a-z]+)*(?:-\d+)?(?:" + "|".join(re.escape(e) for e in extensiones) + r")$"
    )


def es_nombre_propio(nombre: str) -> bool:
    return bool(_patron_propio().match(nombre))


def ruta_manifiesto(archivo: Path) -> Path:
    return archivo.with_name(archivo.name + ".json")


def leer_manifiesto(archivo: Path) -> dict[str, Any] | None:
    """El manifiesto de ``archivo`` (None si no tiene). Un manifiesto ilegible es un error."""
    ruta = ruta_manifiesto(archivo)
    if not ruta.is_file():
        return None
    try:
        datos = json.loads(ruta.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DatosInvalidos(f"El manifiesto {ruta} no se puede leer ({e}): está dañado.") from None
    faltan = [
        k for k in ("motor", "tablas", "sha256", "tamano", "revision", "inicio") if k not in datos
    ] if isinstance(datos, dict) else ["todo"]
    if not isinstance(datos, dict) or datos.get("tipo") != TIPO_MANIFIESTO or faltan:
        raise DatosInvalidos(
            f"{ruta} no es un manifiesto de respaldo de amauta válido"
            + (f" (faltan: {', '.join(faltan)})." if faltan and faltan != ["todo"] else ".")
        )
    return datos


def manifiestos(carpeta: Path) -> list[tuple[Path, dict[str, Any]]]:
    """(archivo, manifiesto) de cada respaldo de amauta de la carpeta, el más nuevo primero.

    Cuenta solo los manifiestos válidos que dicen ser de ese mismo archivo."""
    encontrados = []
    for m in carpeta.glob("*.json"):
        if m.name.startswith("."):
            continue
        archivo = m.with_name(m.name.removesuffix(".json"))
        try:
            datos = leer_manifiesto(archivo)
        except DatosInvalidos:
            continue
        if datos is not None and datos.get("archivo", archivo.name) == archivo.name:
            encontrados.append((archivo, datos))
    encontrados.sort(key=lambda par: (str(par[1].get("inicio")), par[0].name), reverse=True)
    return encontrados


def listar(carpeta: Path | None = None) -> tuple[Path, list[dict[str, Any]]]:
    """Los respaldos de amauta de ``carpeta`` con los datos de su manifiesto, el más nuevo primero."""
    explicita = carpeta is not None
    carpeta = carpeta or directorio_respaldos()
    if not carpeta.is_dir():
        if explicita:
            raise NoEncontrado(f"La carpeta {carpeta} no existe.")
        return carpeta, []
    filas = []
    for archivo, m in manifiestos(carpeta):
        if not archivo.is_file():
            estado = "falta el archivo"
        elif archivo.stat().st_size != m["tamano"]:
            estado = "incompleto"
        else:
            estado = "ok"
        filas.append(
            {
                "archivo": archivo.name,
                "ruta": str(archivo),
                "inicio": m.get("inicio"),
                "fin": m.get("fin"),
                "motor": m.get("motor"),
                "base": m.get("base"),
                "formato": m.get("formato"),
                "revision": m.get("revision"),
                "tablas": len(m.get("tablas") or {}),
                "filas": m.get("filas", sum((m.get("tablas") or {}).values())),
                "tamano": m.get("tamano"),
                "sha256": m.get("sha256"),
                "motivo": m.get("motivo"),
                "version_amauta": m.get("version_amauta"),
                "estado": estado,
            }
        )
    return carpeta, filas


def conservar(carpeta: Path, n: int, referencia: dict[str, Any]) -> list[Path]:
    """Borra los respaldos de la misma base que ``referencia`` más viejos que los ``n`` más
    nuevos. Solo cuenta y borra archivos con el nombre que amauta les da Y un manifiesto de
    amauta que dice ser de ese archivo y de esa base (motor y nombre). Devuelve los borrados."""
    if n < 1:
        raise DatosInvalidos("--conservar debe ser 1 o mayor.")
    propios = [
        (a, m)
        for a, m in manifiestos(carpeta)
        if es_nombre_propio(a.name)
        and m.get("archivo") == a.name
        and m.get("motor") == referencia["motor"]
        and m.get("base") == referencia["base"]
    ]
    borrados = []
    for archivo, _m in propios[n:]:
        archivo.unlink(missing_ok=True)
        ruta_manifiesto(archivo).unlink(missing_ok=True)
        borrados.append(archivo)
    return borrados
