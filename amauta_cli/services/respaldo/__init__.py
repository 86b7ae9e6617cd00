"""Respaldos y restauraciones verificados, en PostgreSQL y SQLite.

``amauta db backup|backups|verificar-backup|restore`` (y el respaldo de seguridad de
``amauta db rollback``) llaman a estas funciones. No imprimen: devuelven datos, avisan por
callbacks o lanzan ``AmautaError`` con mensajes en español.

- ``flujo``: el flujo, igual para todos los motores (respaldar → verificar → conservar;
  restaurar con confirmación y respaldo de seguridad; verificar; restos).
- ``postgresql`` y ``sqlite``: un módulo por motor, con la misma interfaz, que el flujo
  busca por nombre (``comun.motor_respaldo``).
- ``archivos``: archivos y carpetas sin exponer datos personales (600/700, temporales con
  ``O_EXCL | O_NOFOLLOW`` y nombre impredecible que dice su dueño) y los restos de procesos
  interrumpidos.
- ``manifiesto``: el manifiesto JSON, el listado de una carpeta y la conservación.
- ``inspeccion``: el archivo antes de tocar una base (SHA-256, formato, metacomandos).
- ``verificacion``: lo restaurado comparado con el manifiesto; revisiones conocidas.
"""

from __future__ import annotations

from .archivos import Resto
from .comun import (
    AJUSTES_POR_DEFECTO,
    FORMATOS_PG,
    Progreso,
    ajustes,
    directorio_respaldos,
    motor_respaldo,
    sin_progreso,
)
from .flujo import (
    limpiar_restos,
    planificar_restauracion,
    respaldar,
    respaldo_de_seguridad,
    restaurar,
    restaurar_archivo,
    restos,
    ruta_destino,
    tiene_datos,
    verificar_archivo,
)
from .inspeccion import Inspeccion, MetacomandoEnRespaldo, detectar_formato, inspeccionar
from .manifiesto import conservar, leer_manifiesto, listar, ruta_manifiesto
from .resultados import (
    PlanRestauracion,
    ResultadoRespaldo,
    ResultadoRestauracion,
    ResultadoVerificacion,
)
from .verificacion import Comparacion, Verificacion, revisiones_conocidas

#: ``verificar(archivo, url_servidor)``: el nombre de siempre de ``verificar_archivo``.
verificar = verificar_archivo


def entorno_pg(url: str, aplicacion: str = "amauta") -> dict[str, str]:
    """Las variables de entorno de libpq para ``url`` (ver ``postgresql.entorno_pg``)."""
    from .postgresql import entorno_pg as _entorno_pg

    return _entorno_pg(url, aplicacion)


def herramienta(nombre: str, mayor_servidor: int):
    """``pg_dump``/``pg_restore``/``psql`` adecuado al servidor (ver ``postgresql.herramienta``)."""
    from .postgresql import herramienta as _herramienta

    return _herramienta(nombre, mayor_servidor)


__all__ = [
    "AJUSTES_POR_DEFECTO",
    "Comparacion",
    "FORMATOS_PG",
    "Inspeccion",
    "MetacomandoEnRespaldo",
    "PlanRestauracion",
    "Progreso",
    "Resto",
    "ResultadoRespaldo",
    "ResultadoRestauracion",
    "ResultadoVerificacion",
    "Verificacion",
    "ajustes",
    "conservar",
    "detectar_formato",
    "directorio_respaldos",
    "entorno_pg",
    "herramienta",
    "inspeccionar",
    "leer_manifiesto",
    "limpiar_restos",
    "listar",
    "motor_respaldo",
    "planificar_restauracion",
    "respaldar",
    "respaldo_de_seguridad",
    "restaurar",
    "restaurar_archivo",
    "restos",
    "revisiones_conocidas",
    "ruta_destino",
    "ruta_manifiesto",
    "sin_progreso",
    "tiene_datos",
    "verificar",
    "verificar_archivo",
]
