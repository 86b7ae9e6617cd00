"""Instituciones: alta, listado con conteos, ficha con sus grupos, edición y baja lógica.

Reglas:
- El tipo sale del enum ``TipoInstitucion`` (sin distinguir mayúsculas ni acentos).
- El nombre identifica a la institución en los comandos, así que no se repite (sin
  distinguir mayúsculas ni acentos); el id también sirve.
- Desactivar una institución con grupos activos se rechaza, salvo que se pida desactivar
  también sus grupos (en la misma transacción).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, distinct, func, or_, select, update
from sqlalchemy.orm import Session

from amauta_cli.textos import plural
from amauta_cli.dialecto import orden_es
from amauta_cli.errores import DatosInvalidos
from amauta_cli.ids import ahora
from amauta_cli.models import Grupo, GrupoEstudiante, Institucion, TipoInstitucion, Usuario
from amauta_cli.parsing import elegir_enum, revisar_texto, sin_acentos, validar_email
from amauta_cli.services.comun import Cambio, buscar_institucion, sin_acentos_sql

TIPOS = [t.value for t in TipoInstitucion]
CAMPOS_CONTACTO = ("direccion", "telefono", "email")


def elegir_tipo(texto: str) -> TipoInstitucion:
    if not texto.strip():
        raise DatosInvalidos(f"tipo: falta el tipo ({', '.join(TIPOS)})")
    return TipoInstitucion(elegir_enum(texto, TIPOS, "tipo"))


def _contacto(valores: dict[str, str | None], problemas: list[str]) -> dict[str, str | None]:
    """Campos de contacto dados (``None`` = no tocar, ``""`` = vaciar); valida el email."""
    res: dict[str, str | None] = {}
    for campo in CAMPOS_CONTACTO:
        valor = valores.get(campo)
        if valor is None:
            continue
        valor = valor.strip()
        if campo == "email" and valor:
            try:
                valor = validar_email(valor)
            except DatosInvalidos as e:
                problemas.append(e.mensaje)
        res[campo] = valor or None
    return res


def _exigir_nombre_libre(s: Session, nombre: str, excepto_id: str | None = None) -> None:
    consulta = select(Institucion.nombre, Institucion.id).where(
        sin_acentos_sql(Institucion.nombre) == sin_acentos(nombre)
    )
    if excepto_id:
        consulta = consulta.where(Institucion.id != excepto_id)
    otra = s.execute(consulta.limit(1)).first()
    if otra is not None:
        raise DatosInvalidos(
            f"Ya existe la institución '{otra.nombre}' (id {otra.id}): los nombres no se repiten "
            "(sin distinguir mayúsculas ni acentos) porque identifican a la institución."
        )


def crear(
    s: Session,
    nombre: str,
    tipo: str,
    direccion: str | None = None,
    telefono: str | None = None,
    email: str | None = None,
) -> Institucion:
    problemas: list[str] = []
    nombre = revisar_texto(nombre, "--nombre", "institucion")
    if not nombre:
        problemas.append("nombre: no puede estar vacío")
    try:
        tipo_ok = elegir_tipo(tipo)
    except DatosInvalidos as e:
        problemas.append(e.mensaje)
    contacto = _contacto({"direccion": direccion, "telefono": telefono, "email": email}, problemas)
    if problemas:
        raise DatosInvalidos("Datos inválidos; no se creó la institución:", problemas)
    _exigir_nombre_libre(s, nombre)
    inst = Institucion(nombre=nombre, tipo=tipo_ok, activa=True, **contacto)
    s.add(inst)
    s.flush()
    return inst


def listar(
    s: Session,
    activa: bool | None = None,
    tipo: str | None = None,
    buscar: str | None = None,
) -> list[dict[str, Any]]:
    """Instituciones con sus conteos (grupos activos, estudiantes y educadores en ellos): UNA consulta."""
    activo = Grupo.activo.is_(True)
    consulta = (
        select(
            Institucion.id,
            Institucion.nombre,
            Institucion.tipo,
            Institucion.activa,
            Institucion.email,
            Institucion.telefono,
            Institucion.direccion,
            func.count(distinct(case((activo, Grupo.id)))).label("grupos"),
            func.count(distinct(case((activo, GrupoEstudiante.estudianteId)))).label("estudiantes"),
            func.count(distinct(case((activo, Grupo.educadorId)))).label("educadores"),
        )
        .outerjoin(Grupo, Grupo.institucionId == Institucion.id)
        .outerjoin(GrupoEstudiante, GrupoEstudiante.grupoId == Grupo.id)
        .group_by(Institucion.id)
        .order_by(*orden_es(s, Institucion.nombre))
    )
    if activa is not None:
        consulta = consulta.where(Institucion.activa.is_(activa))
    if tipo:
        consulta = consulta.where(Institucion.tipo == elegir_tipo(tipo))
    if buscar and buscar.strip():
        clave = sin_acentos(" ".join(buscar.split()))
        consulta = consulta.where(
            or_(
                sin_acentos_sql(Institucion.nombre).contains(clave, autoescape=True),
                func.lower(Institucion.email).contains(clave, autoescape=True),
            )
        )
    return [dict(f._mapping) for f in s.execute(consulta)]


def grupos_con_conteos(s: Session, institucion_id: str) -> list[dict[str, Any]]:
    """Los grupos de una institución con su educador y cantidad de estudiantes: UNA consulta."""
    consulta = (
        select(
            Grupo.id,
            Grupo.nombre,
            Grupo.grado,
            Grupo.seccion,
            Usuario.email.label("educador"),
            Grupo.activo,
            func.count(GrupoEstudiante.estudianteId).label("estudiantes"),
        )
        .join(Usuario, Usuario.id == Grupo.educadorId)
        .outerjoin(GrupoEstudiante, GrupoEstudiante.grupoId == Grupo.id)
        .where(Grupo.institucionId == institucion_id)
        .group_by(Grupo.id, Usuario.email)
        .order_by(Grupo.activo.desc(), *orden_es(s, Grupo.nombre))
    )
    return [dict(f._mapping) for f in s.execute(consulta)]


def ver(s: Session, nombre_o_id: str) -> dict[str, Any]:
    inst = buscar_institucion(s, nombre_o_id)
    grupos = grupos_con_conteos(s, inst.id)
    totales = s.execute(
        select(
            func.count(distinct(GrupoEstudiante.estudianteId)).label("estudiantes"),
            func.count(distinct(Grupo.educadorId)).label("educadores"),
        )
        .select_from(Grupo)
        .outerjoin(GrupoEstudiante, GrupoEstudiante.grupoId == Grupo.id)
        .where(Grupo.institucionId == inst.id, Grupo.activo.is_(True))
    ).one()
    return {
        "id": inst.id,
        "nombre": inst.nombre,
        "tipo": inst.tipo,
        "activa": inst.activa,
        "direccion": inst.direccion,
        "telefono": inst.telefono,
        "email": inst.email,
        "grupos_activos": sum(1 for g in grupos if g["activo"]),
        "grupos_inactivos": sum(1 for g in grupos if not g["activo"]),
        "estudiantes": totales.estudiantes,
        "educadores": totales.educadores,
        "createdAt": inst.createdAt,
        "updatedAt": inst.updatedAt,
        "grupos": grupos,
    }


def editar(
    s: Session,
    nombre_o_id: str,
    *,
    nombre: str | None = None,
    tipo: str | None = None,
    direccion: str | None = None,
    telefono: str | None = None,
    email: str | None = None,
) -> tuple[Institucion, list[Cambio]]:
    problemas: list[str] = []
    nuevos: dict[str, Any] = {}
    if nombre is not None:
        nuevos["nombre"] = revisar_texto(nombre, "--nombre", "institucion")
        if not nuevos["nombre"]:
            problemas.append("nombre: no puede estar vacío")
    if tipo is not None:
        try:
            nuevos["tipo"] = elegir_tipo(tipo)
        except DatosInvalidos as e:
            problemas.append(e.mensaje)
    nuevos.update(
        _contacto({"direccion": direccion, "telefono": telefono, "email": email}, problemas)
    )
    if problemas:
        raise DatosInvalidos("Datos inválidos; no se modificó la institución:", problemas)
    inst = buscar_institucion(s, nombre_o_id)
    cambios = [
        Cambio(c, getattr(inst, c), v) for c, v in nuevos.items() if getattr(inst, c) != v
    ]
    if "nombre" in nuevos and nuevos["nombre"] != inst.nombre:
        _exigir_nombre_libre(s, nuevos["nombre"], excepto_id=inst.id)
    for c in cambios:
        setattr(inst, c.campo, c.despues)
    if cambios:
        inst.updatedAt = ahora()
    s.flush()
    return inst, cambios


@dataclass
class ResultadoActivacion:
    institucion: Institucion
    cambiado: bool
    grupos_desactivados: list[str] = field(default_factory=list)


def desactivar(s: Session, nombre_o_id: str, con_grupos: bool = False) -> ResultadoActivacion:
    """Baja lógica (``activa = false``). Con grupos activos, exige ``con_grupos``."""
    inst = buscar_institucion(s, nombre_o_id)
    activos = list(
        s.execute(
            select(Grupo.id, Grupo.nombre)
            .where(Grupo.institucionId == inst.id, Grupo.activo.is_(True))
            .order_by(*orden_es(s, Grupo.nombre))
        )
    )
    if not inst.activa and not activos:
        return ResultadoActivacion(inst, False)
    if activos and not con_grupos:
        from amauta_cli.errores import OperacionRechazada

        raise OperacionRechazada(
            f"La institución '{inst.nombre}' tiene {plural(len(activos), 'grupo activo')} "
            f"({', '.join(g.nombre for g in activos)}). Desactívelos con `amauta grupos "
            "desactivar`, o agregue --con-grupos para desactivarlos junto con la institución."
        )
    t = ahora()
    if activos:
        s.execute(
            update(Grupo)
            .where(Grupo.institucionId == inst.id, Grupo.activo.is_(True))
            .values(activo=False, updatedAt=t)
            .execution_options(synchronize_session=False)
        )
    inst.activa = False
    inst.updatedAt = t
    s.flush()
    return ResultadoActivacion(inst, True, [g.nombre for g in activos])


def activar(s: Session, nombre_o_id: str) -> ResultadoActivacion:
    """Reactiva la institución (sus grupos siguen como estén: actívelos con `grupos activar`)."""
    inst = buscar_institucion(s, nombre_o_id)
    if inst.activa:
        return ResultadoActivacion(inst, False)
    inst.activa = True
    inst.updatedAt = ahora()
    s.flush()
    return ResultadoActivacion(inst, True)
