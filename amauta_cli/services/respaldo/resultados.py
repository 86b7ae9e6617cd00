"""Lo que devuelven el flujo y los motores: planes y resultados (sin texto para mostrar)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .archivos import Resto
from .inspeccion import Inspeccion
from .verificacion import Verificacion, revision_conocida


@dataclass(frozen=True)
class ResultadoVerificacion:
    verificacion: Verificacion
    duracion: float
    base_desechable: str


@dataclass
class ResultadoRespaldo:
    archivo: Path
    manifiesto: dict[str, Any]
    duracion: float
    #: Con ``verificar``: la restauración en una base desechable comparada con el manifiesto.
    verificacion: ResultadoVerificacion | None = None
    #: Con ``conservar``: los respaldos viejos borrados (ninguno si la verificación falló).
    borrados: list[Path] = field(default_factory=list)
    #: Temporales de procesos interrumpidos que se borraron antes de empezar.
    restos_borrados: list[Resto] = field(default_factory=list)

    @property
    def tablas(self) -> int:
        return len(self.manifiesto["tablas"])

    @property
    def filas(self) -> int:
        return int(sum(self.manifiesto["tablas"].values()))

    @property
    def tamano(self) -> int:
        return int(self.manifiesto["tamano"])

    @property
    def verificado(self) -> bool:
        return self.verificacion is not None and self.verificacion.verificacion.ok


@dataclass
class PlanRestauracion:
    url: str
    inspeccion: Inspeccion
    #: Tablas del destino que tienen al menos una fila (sin contar ``alembic_version``).
    tablas_con_datos: list[str]
    produccion: bool
    #: La marca de entorno del destino, que se conserva tras restaurar.
    entorno_destino: str | None
    forzar: bool
    #: El nombre de la base destino (el del archivo, en SQLite), para confirmar.
    nombre_base: str = ""
    #: PostgreSQL: esquema actual del destino, versión mayor del servidor, y si se puede
    #: restaurar con ``pg_restore --clean --single-transaction`` a secas.
    esquema_pg: str | None = None
    mayor_pg: int = 0
    directo: bool = False
    #: Tablas de Prisma Migrate con filas en el destino (no cuentan como datos; ver
    #: ``esquema.TABLAS_DE_PRISMA``): la restauración las reemplaza por las del respaldo.
    prisma_destino: list[str] = field(default_factory=list)

    @property
    def con_datos(self) -> bool:
        return bool(self.tablas_con_datos)


@dataclass(frozen=True)
class ResultadoRestauracion:
    verificacion: Verificacion
    duracion: float
    revision_cabeza: str | None
    #: Cómo se restauró: ``pg_restore`` (directo), ``psql`` (camino general) o ``sqlite``.
    via: str = ""
    plan: PlanRestauracion | None = None
    #: El respaldo de seguridad del contenido anterior (si hizo falta y no se omitió).
    seguridad: ResultadoRespaldo | None = None

    @property
    def pendiente_migrar(self) -> bool:
        """La revisión restaurada es anterior a la del código: hace falta ``amauta db migrate``.
        (Las revisiones de amauta son una sola línea: conocida y distinta de head = anterior.)"""
        rev = self.verificacion.revision_obtenida
        return rev is not None and rev != self.revision_cabeza and revision_conocida(rev)
