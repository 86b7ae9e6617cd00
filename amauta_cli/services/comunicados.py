"""Comunicados de una institución: publicar, listar (URGENTE primero) y ver.

Reglas: la institución debe estar activa; el autor, un usuario activo con rol ADMIN_ESCUELA,
SUPER_ADMIN o EDUCADOR; título y contenido (Markdown) no vacíos.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from amauta_cli.errores import DatosInvalidos, NoEncontrado, OperacionRechazada
from amauta_cli.ids import ahora, cuid, medianoche
from amauta_cli.models import Comunicado, Institucion, Prioridad, Rol, TipoComunicado, Usuario
from amauta_cli.parsing import elegir_enum
from amauta_cli.services.comun import buscar_institucion, buscar_usuario

TIPOS = [t.value for t in TipoComunicado]
PRIORIDADES = [p.value for p in Prioridad]
#: Orden de las prioridades en los listados: URGENTE primero.
_RANGO = {Prioridad.URGENTE: 0, Prioridad.ALTA: 1, Prioridad.NORMAL: 2, Prioridad.BAJA: 3}
AUTORES = (Rol.ADMIN_ESCUELA, Rol.SUPER_ADMIN, Rol.EDUCADOR)


@dataclass(frozen=True)
class FilaComunicado:
    publicadoEn: datetime
    prioridad: str
    tipo: str
    titulo: str
    institucion: str
    autor: str
    id: str


@dataclass(frozen=True)
class DetalleComunicado:
    comunicado: FilaComunicado
    autor_nombre: str
    contenido: str


def publicar(
    s: Session, institucion: str, autor: str, titulo: str, contenido: str, tipo: str,
    prioridad: str = "NORMAL",
) -> FilaComunicado:
    problemas = []
    titulo = " ".join(titulo.split())
    if not titulo:
        problemas.append("titulo: no puede estar vacío")
    if not contenido.strip():
        problemas.append("contenido: el comunicado está vacío")
    valores = {}
    for campo, texto, permitidos in (("tipo", tipo, TIPOS), ("prioridad", prioridad, PRIORIDADES)):
        try:
            valores[campo] = elegir_enum(texto, permitidos, campo)
        except DatosInvalidos as e:
            problemas.append(e.mensaje)
    if problemas:
        raise DatosInvalidos("Datos inválidos; no se publicó el comunicado:", problemas)
    inst = buscar_institucion(s, institucion)
    if not inst.activa:
        raise OperacionRechazada(f"La institución '{inst.nombre}' está inactiva: no admite comunicados.")
    u = buscar_usuario(s, autor)
    if u.rol not in AUTORES:
        raise OperacionRechazada(
            f"'{u.email}' tiene rol {u.rol.value}: publican comunicados ADMIN_ESCUELA, SUPER_ADMIN o EDUCADOR."
        )
    if not u.activo:
        raise OperacionRechazada(f"'{u.email}' está inactivo: no puede publicar comunicados.")
    t = ahora()
    c = Comunicado(
        id=cuid(), institucionId=inst.id, autorId=u.id, titulo=titulo, contenido=contenido.strip() + "\n",
        tipo=TipoComunicado(valores["tipo"]), prioridad=Prioridad(valores["prioridad"]),
        publicadoEn=t, createdAt=t, updatedAt=t,
    )
    s.add(c)
    s.flush()
    return FilaComunicado(t, c.prioridad.value, c.tipo.value, titulo, inst.nombre, u.email, c.id)


def _columnas():
    return (
        Comunicado.publicadoEn, Comunicado.prioridad, Comunicado.tipo, Comunicado.titulo,
        Institucion.nombre, Usuario.email, Comunicado.id,
    )


def _fila(f) -> FilaComunicado:
    return FilaComunicado(f[0], f[1].value, f[2].value, f[3], f[4], f[5], f[6])


def listar(
    s: Session, institucion: str | None = None, tipo: str | None = None,
    prioridad: str | None = None, desde: date | None = None, limite: int = 100,
) -> list[FilaComunicado]:
    condiciones = []
    if institucion:
        condiciones.append(Comunicado.institucionId == buscar_institucion(s, institucion).id)
    if tipo:
        condiciones.append(Comunicado.tipo == TipoComunicado(elegir_enum(tipo, TIPOS, "tipo")))
    if prioridad:
        condiciones.append(Comunicado.prioridad == Prioridad(elegir_enum(prioridad, PRIORIDADES, "prioridad")))
    if desde:
        condiciones.append(Comunicado.publicadoEn >= medianoche(desde))
    if limite < 1:
        raise DatosInvalidos("--limite debe ser un entero de 1 en adelante.")
    consulta = (
        select(*_columnas())
        .join(Institucion, Institucion.id == Comunicado.institucionId)
        .join(Usuario, Usuario.id == Comunicado.autorId)
        .where(*condiciones)
        .order_by(case(_RANGO, value=Comunicado.prioridad), Comunicado.publicadoEn.desc(), Comunicado.id)
        .limit(limite)
    )
    return [_fila(f) for f in s.execute(consulta)]


def ver(s: Session, id_: str) -> DetalleComunicado:
    f = s.execute(
        select(*_columnas(), Usuario.nombre, Usuario.apellido, Comunicado.contenido)
        .join(Institucion, Institucion.id == Comunicado.institucionId)
        .join(Usuario, Usuario.id == Comunicado.autorId)
        .where(Comunicado.id == id_.strip())
    ).first()
    if f is None:
        raise NoEncontrado(f"No existe el comunicado '{id_}'. Vea los ids con `amauta comunicados listar`.")
    return DetalleComunicado(_fila(f[:7]), f"{f[7]} {f[8]}", f[9])
