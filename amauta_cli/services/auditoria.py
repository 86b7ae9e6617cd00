"""La auditoría de asistencia y calificaciones (``amauta auditoria``).

Cada alta, cambio y baja de ``Asistencia`` y ``Calificacion`` la registran disparadores de la
propia base en ``_amauta_auditoria`` (migración 0005), la haga quien la haga: amauta, la
aplicación web, psql. Aquí solo se lee, con filtros. Con credenciales de escuela, la
seguridad por filas deja ver solo los registros de los grupos de esa escuela, y nadie con
esas credenciales puede cambiarlos ni borrarlos.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any

from amauta_cli.errores import DatosInvalidos

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.orm import Session

#: Nombre de cada tabla auditada por cómo la escribe la gente (sin acentos ni mayúsculas).
TABLAS = {
    "asistencia": "Asistencia",
    "asistencias": "Asistencia",
    "calificacion": "Calificacion",
    "calificaciones": "Calificacion",
}
#: Campos que no cuentan como cambio (los pone cualquier escritura) o que ya están en otras
#: columnas del listado (el registro, el grupo, el estudiante).
SIN_INTERES = {"updatedAt", "createdAt", "id", "grupoId", "estudianteId"}
#: Campos con fecha (medianoche) y con números, para devolverlos con su tipo en ambos motores
#: (PostgreSQL los guarda como ``2024-03-04T00:00:00``; SQLite, ``2024-03-04 00:00:00.000000``).
FECHAS = {"fecha"}
NUMEROS = {"nota", "notaMaxima"}
LIMITE = 500
#: El orden en que se muestran los campos, el mismo en ambos motores (JSONB ordena las claves
#: por largo; el JSON de SQLite, como se escribieron): el de las columnas de cada tabla.
ORDEN_CAMPOS = ("fecha", "estado", "materia", "periodo", "nota", "notaMaxima", "observaciones")


def _en_orden(claves: Any) -> list[str]:
    posicion = {c: i for i, c in enumerate(ORDEN_CAMPOS)}
    return sorted(claves, key=lambda c: (posicion.get(c, len(ORDEN_CAMPOS)), c))


@dataclass(frozen=True)
class Registro:
    id: int
    #: Hora local (con zona); en la base se guarda en UTC.
    momento: datetime
    operacion: str  # INSERT, UPDATE o DELETE
    tabla: str
    registro_id: str
    grupo: str | None
    institucion: str | None
    estudiante: str | None  # email
    rol: str | None
    usuario_so: str | None
    cliente: str | None
    antes: dict[str, Any] | None
    despues: dict[str, Any] | None

    @property
    def campos_cambiados(self) -> list[str]:
        """En un cambio, los campos que cambiaron (sin ``updatedAt``), en el orden de la fila."""
        if not (self.antes and self.despues):
            return []
        return [
            k for k in _en_orden(set(self.antes) | set(self.despues))
            if k not in SIN_INTERES and self.antes.get(k) != self.despues.get(k)
        ]

    @property
    def valores_antes(self) -> dict[str, Any] | None:
        """Los valores de la fila antes (sin ids ni marcas de tiempo), con su tipo."""
        return _valores(self.antes)

    @property
    def valores_despues(self) -> dict[str, Any] | None:
        return _valores(self.despues)


def _valores(fila: dict[str, Any] | None) -> dict[str, Any] | None:
    if fila is None:
        return None
    d: dict[str, Any] = {}
    for k in _en_orden(fila):
        v = fila[k]
        if k in SIN_INTERES or v is None:
            continue
        if k in FECHAS and isinstance(v, str):
            v = date.fromisoformat(v[:10])
        elif k in NUMEROS and v is not None:
            v = float(v)
        d[k] = v
    return d


@dataclass(frozen=True)
class Auditoria:
    registros: list[Registro]
    #: Cuántos registros cumplen los filtros (``registros`` trae a lo sumo ``limite``).
    total: int
    limite: int


def _tabla(texto: str) -> str:
    from amauta_cli.textos import sin_acentos

    clave = sin_acentos(texto.strip())
    if clave not in TABLAS:
        raise DatosInvalidos(
            f"--tabla: '{texto}' no es una tabla auditada; use asistencia o calificaciones."
        )
    return TABLAS[clave]


def _utc(d: date) -> datetime:
    """Medianoche local de ``d``, como instante UTC sin zona (así se guarda ``momento``)."""
    return datetime.combine(d, time()).astimezone().astimezone(timezone.utc).replace(tzinfo=None)


def _local(momento: datetime) -> datetime:
    return momento.replace(tzinfo=timezone.utc).astimezone()


def listar(
    s: "Session",
    grupo: str | None = None,
    institucion: str | None = None,
    estudiante: str | None = None,
    desde: date | None = None,
    hasta: date | None = None,
    rol: str | None = None,
    tabla: str | None = None,
    limite: int = LIMITE,
) -> Auditoria:
    """Los registros de auditoría que cumplen los filtros, los más recientes primero.

    ``desde``/``hasta`` son días (hora local, ambos incluidos). ``grupo`` y ``estudiante``
    se nombran como en el resto de amauta (nombre o id; email).
    """
    from sqlalchemy import func, select

    from amauta_cli.models import Grupo, Institucion, Usuario, amauta_auditoria as A
    from amauta_cli.services.comun import buscar_grupo, buscar_usuario

    if limite < 1:
        raise DatosInvalidos("--limite debe ser un número entero mayor o igual a 1.")
    if desde and hasta and hasta < desde:
        raise DatosInvalidos(
            f"--hasta ({hasta:%d/%m/%Y}) es anterior a --desde ({desde:%d/%m/%Y})."
        )
    filtros: list[Any] = []
    if grupo:
        filtros.append(A.c.grupoId == buscar_grupo(s, grupo, institucion).id)
    elif institucion:
        from amauta_cli.services.comun import buscar_institucion

        inst = buscar_institucion(s, institucion)
        filtros.append(A.c.grupoId.in_(select(Grupo.id).where(Grupo.institucionId == inst.id)))
    if estudiante:
        filtros.append(A.c.estudianteId == buscar_usuario(s, estudiante).id)
    if desde:
        filtros.append(A.c.momento >= _utc(desde))
    if hasta:
        filtros.append(A.c.momento < _utc(hasta + timedelta(days=1)))
    if rol:
        filtros.append(A.c.rol == rol.strip())
    if tabla:
        filtros.append(A.c.tabla == _tabla(tabla))
    total = s.execute(select(func.count()).select_from(A).where(*filtros)).scalar_one()
    filas = s.execute(
        select(
            A.c.id,
            A.c.momento,
            A.c.operacion,
            A.c.tabla,
            A.c.registroId,
            Grupo.nombre,
            Institucion.nombre,
            Usuario.email,
            A.c.rol,
            A.c.usuarioSo,
            A.c.cliente,
            A.c.antes,
            A.c.despues,
        )
        .select_from(A)
        .outerjoin(Grupo, Grupo.id == A.c.grupoId)
        .outerjoin(Institucion, Institucion.id == Grupo.institucionId)
        .outerjoin(Usuario, Usuario.id == A.c.estudianteId)
        .where(*filtros)
        .order_by(A.c.momento.desc(), A.c.id.desc())
        .limit(limite)
    ).all()
    registros = [
        Registro(
            id=int(f[0]),
            momento=_local(f[1]),
            operacion=f[2],
            tabla=f[3],
            registro_id=f[4],
            grupo=f[5],
            institucion=f[6],
            estudiante=f[7],
            rol=f[8],
            usuario_so=f[9],
            cliente=f[10],
            antes=f[11],
            despues=f[12],
        )
        for f in filas
    ]
    return Auditoria(registros, int(total), limite)
