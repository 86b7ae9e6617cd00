"""Grupos (clases): alta con su educador, listado, ficha con sus estudiantes, altas y
bajas de estudiantes, y baja lógica.

Reglas:
- Un grupo se nombra por su nombre dentro de su institución (``--institucion`` si el nombre
  se repite entre instituciones) o por su id. Por eso el nombre no se repite dentro de una
  institución (sin distinguir mayúsculas ni acentos).
- El educador es un usuario activo con rol EDUCADOR; la institución debe estar activa.
- Solo usuarios activos con rol ESTUDIANTE entran a un grupo; agregar a quien ya está no
  es un error. Un grupo inactivo no admite cambios de estudiantes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from amauta_cli import csvio
from amauta_cli.textos import plural
from amauta_cli.dialecto import orden_es
from amauta_cli.errores import DatosInvalidos, NoEncontrado, OperacionRechazada
from amauta_cli.ids import ahora
from amauta_cli.models import Grupo, GrupoEstudiante, Institucion, Rol, Usuario
from amauta_cli.parsing import revisar_texto, sin_acentos, validar_email
from amauta_cli.services.comun import (
    buscar_grupo,
    buscar_institucion,
    buscar_usuario,
    estudiantes_del_grupo,
    sin_acentos_sql,
)
from amauta_cli.dialecto import dialecto
from amauta_cli.services.usuarios import en_lista


def _exigir_educador(s: Session, email: str) -> Usuario:
    u = buscar_usuario(s, email)
    if u.rol != Rol.EDUCADOR:
        raise OperacionRechazada(
            f"'{u.email}' tiene rol {u.rol.value}: el educador de un grupo debe tener rol EDUCADOR."
        )
    if not u.activo:
        raise OperacionRechazada(
            f"'{u.email}' está inactivo: actívelo con `amauta usuarios activar` o elija otro educador."
        )
    return u


def _exigir_nombre_libre(s: Session, institucion: Institucion, nombre: str) -> None:
    otro = s.execute(
        select(Grupo.id, Grupo.nombre, Grupo.activo).where(
            Grupo.institucionId == institucion.id,
            sin_acentos_sql(Grupo.nombre) == sin_acentos(nombre),
        )
    ).first()
    if otro is not None:
        estado = "" if otro.activo else " (inactivo; reactívelo con `amauta grupos activar`)"
        raise DatosInvalidos(
            f"Ya existe el grupo '{otro.nombre}' en '{institucion.nombre}'{estado}: dentro de "
            "una institución los nombres de grupo no se repiten."
        )


def crear(
    s: Session,
    institucion: str,
    nombre: str,
    educador: str,
    grado: str | None = None,
    seccion: str | None = None,
) -> Grupo:
    nombre = revisar_texto(nombre, "--nombre", "grupo")
    if not nombre:
        raise DatosInvalidos("nombre: el nombre del grupo no puede estar vacío.")
    inst = buscar_institucion(s, institucion)
    if not inst.activa:
        raise OperacionRechazada(
            f"La institución '{inst.nombre}' está inactiva: no admite grupos nuevos. "
            "Actívela con `amauta instituciones activar`."
        )
    edu = _exigir_educador(s, educador)
    _exigir_nombre_libre(s, inst, nombre)
    g = Grupo(
        nombre=nombre,
        grado=(grado or "").strip() or None,
        seccion=(seccion or "").strip() or None,
        institucionId=inst.id,
        educadorId=edu.id,
        activo=True,
    )
    s.add(g)
    s.flush()
    return g


def listar(
    s: Session,
    institucion: str | None = None,
    activo: bool | None = None,
    educador: str | None = None,
    buscar: str | None = None,
) -> list[dict[str, Any]]:
    """Grupos con institución, educador y cantidad de estudiantes: UNA consulta."""
    consulta = (
        select(
            Grupo.id,
            Grupo.nombre,
            Institucion.nombre.label("institucion"),
            Grupo.grado,
            Grupo.seccion,
            Usuario.email.label("educador"),
            func.count(GrupoEstudiante.estudianteId).label("estudiantes"),
            Grupo.activo,
        )
        .join(Institucion, Institucion.id == Grupo.institucionId)
        .join(Usuario, Usuario.id == Grupo.educadorId)
        .outerjoin(GrupoEstudiante, GrupoEstudiante.grupoId == Grupo.id)
        .group_by(Grupo.id, Institucion.nombre, Usuario.email)
        .order_by(*orden_es(s, Institucion.nombre, Grupo.nombre))
    )
    if institucion:
        consulta = consulta.where(Grupo.institucionId == buscar_institucion(s, institucion).id)
    if activo is not None:
        consulta = consulta.where(Grupo.activo.is_(activo))
    if educador:
        consulta = consulta.where(Grupo.educadorId == buscar_usuario(s, educador).id)
    if buscar and buscar.strip():
        clave = sin_acentos(" ".join(buscar.split()))
        consulta = consulta.where(
            or_(
                sin_acentos_sql(Grupo.nombre).contains(clave, autoescape=True),
                sin_acentos_sql(Grupo.grado).contains(clave, autoescape=True),
            )
        )
    return [dict(f._mapping) for f in s.execute(consulta)]


#: Las claves de cada estudiante en ``ver`` (json/csv estables).
CLAVES_ESTUDIANTES = ("email", "apellido", "nombre", "matricula", "activo")


def ver(s: Session, grupo: str, institucion: str | None = None) -> dict[str, Any]:
    g = buscar_grupo(s, grupo, institucion)
    edu = s.get(Usuario, g.educadorId)
    todos = estudiantes_del_grupo(s, g.id)
    # El padrón es de los activos; los dados de baja que siguen inscriptos, aparte (por email).
    estudiantes = [e for e in todos if e["activo"]]
    return {
        "id": g.id,
        "nombre": g.nombre,
        "institucion": g.institucion.nombre,
        "institucionId": g.institucionId,
        "grado": g.grado,
        "seccion": g.seccion,
        "activo": g.activo,
        "educador": {
            "email": edu.email,
            "nombre": edu.nombre,
            "apellido": edu.apellido,
            "activo": edu.activo,
        }
        if edu
        else None,
        "cantidad_estudiantes": len(estudiantes),
        "createdAt": g.createdAt,
        "estudiantes": [
            {k: e[k] for k in CLAVES_ESTUDIANTES} for e in estudiantes
        ],
        "estudiantes_inactivos": [e["email"] for e in todos if not e["activo"]],
    }


@dataclass
class ResultadoAgregar:
    grupo: Grupo
    agregados: list[str] = field(default_factory=list)
    ya_estaban: list[str] = field(default_factory=list)


def _emails_de_csv(archivo: csvio.Origen, problemas: list[str]) -> list[tuple[str, str]]:
    """(origen, email) de cada fila del CSV; la columna ``email`` (o ``correo``)."""
    lector = csvio.iterar_csv(
        archivo, ["email"],
        problemas=problemas,
    )
    return [(csvio.problema_linea(f.linea, ""), f.valores["email"]) for f in lector]



def agregar_estudiantes(
    s: Session,
    grupo: str,
    emails: Sequence[str] = (),
    archivo: csvio.Origen | None = None,
    institucion: str | None = None,
) -> ResultadoAgregar:
    """Agrega estudiantes al grupo. Valida todos los emails en UNA consulta; si alguno no
    sirve (no existe, inactivo, otro rol) no agrega a nadie. Inserta con
    ``ON CONFLICT DO NOTHING``: quien ya estaba queda como estaba.
    """
    g = buscar_grupo(s, grupo, institucion, exigir_activo=True)
    problemas: list[str] = []
    # (prefijo para los problemas, email): "" para los argumentos, "línea N: " para el CSV.
    pedidos: list[tuple[str, str]] = [("", e) for e in emails]
    if archivo is not None:
        pedidos += _emails_de_csv(archivo, problemas)
    if not pedidos and not problemas:
        raise DatosInvalidos("Indique al menos un email de estudiante, o un archivo con --archivo.")
    validos: dict[str, str] = {}  # email normalizado -> prefijo de su primera aparición
    for donde, texto in pedidos:
        if not texto.strip():
            problemas.append(f"{donde}falta el email")
            continue
        try:
            validos.setdefault(validar_email(texto), donde)
        except DatosInvalidos as e:
            problemas.append(f"{donde}{e.mensaje}")
    encontrados = {
        f.clave: f
        for f in s.execute(
            select(
                func.lower(Usuario.email).label("clave"),
                Usuario.id,
                Usuario.email,
                Usuario.rol,
                Usuario.activo,
            ).where(en_lista(s, func.lower(Usuario.email), list(validos)))
        )
    }
    ids: list[str] = []
    for email, donde in validos.items():
        u = encontrados.get(email)
        if u is None:
            problemas.append(f"{donde}no existe un usuario con el email '{email}'")
        elif u.rol != Rol.ESTUDIANTE:
            problemas.append(f"{donde}'{email}' tiene rol {u.rol.value}, no ESTUDIANTE")
        elif not u.activo:
            problemas.append(f"{donde}'{email}' está inactivo")
        else:
            ids.append(u.id)
    if problemas:
        raise DatosInvalidos(
            f"No se agregó a nadie al grupo '{g.nombre}': {plural(len(problemas), 'problema')}.", problemas
        )
    t = ahora()
    filas = [{"grupoId": g.id, "estudianteId": i, "inscritoEn": t} for i in ids]
    tabla = GrupoEstudiante.__table__
    ins = dialecto(s).insertar(tabla)
    nuevos: set[str] = set()
    for i in range(0, len(filas), 5000):
        sentencia = (
            ins.values(filas[i : i + 5000])
            .on_conflict_do_nothing(index_elements=[tabla.c.grupoId, tabla.c.estudianteId])
            .returning(tabla.c.estudianteId)
        )
        nuevos.update(s.scalars(sentencia))
    por_id = {u.id: u.email for u in encontrados.values()}
    res = ResultadoAgregar(g)
    for i in ids:
        (res.agregados if i in nuevos else res.ya_estaban).append(por_id[i])
    return res


def quitar_estudiante(
    s: Session, grupo: str, email: str, institucion: str | None = None
) -> tuple[Grupo, Usuario]:
    g = buscar_grupo(s, grupo, institucion, exigir_activo=True)
    u = buscar_usuario(s, email)
    borradas = s.execute(
        GrupoEstudiante.__table__.delete().where(
            GrupoEstudiante.grupoId == g.id, GrupoEstudiante.estudianteId == u.id
        )
    ).rowcount
    if not borradas:
        raise NoEncontrado(f"'{u.email}' no está en el grupo '{g.nombre}': no hay nada que quitar.")
    return g, u


def desactivar(s: Session, grupo: str, institucion: str | None = None) -> tuple[Grupo, bool]:
    g = buscar_grupo(s, grupo, institucion)
    if not g.activo:
        return g, False
    g.activo = False
    g.updatedAt = ahora()
    s.flush()
    return g, True


def activar(s: Session, grupo: str, institucion: str | None = None) -> tuple[Grupo, bool]:
    g = buscar_grupo(s, grupo, institucion)
    if g.activo:
        return g, False
    if not g.institucion.activa:
        raise OperacionRechazada(
            f"La institución '{g.institucion.nombre}' está inactiva: actívela primero con "
            "`amauta instituciones activar`."
        )
    g.activo = True
    g.updatedAt = ahora()
    s.flush()
    return g, True
