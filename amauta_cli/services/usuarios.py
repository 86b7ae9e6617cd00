"""Usuarios y sus perfiles: alta, listado, ficha, edición, activación, contraseñas,
importación masiva desde CSV y exportación.

Reglas:
- El email se guarda normalizado (sin espacios, en minúsculas) y es único sin distinguir
  mayúsculas: el índice único de Prisma distingue mayúsculas, así que se controla aquí.
- Todo usuario nuevo tiene su fila ``Perfil``.
- Nunca se devuelve el hash de la contraseña: ni en la ficha, ni en listados, ni en la
  exportación (solo si está definida o pendiente).
- El último SUPER_ADMIN activo no puede desactivarse ni cambiar de rol.
- Un EDUCADOR a cargo de grupos activos, o un ESTUDIANTE inscripto en grupos activos, no
  cambia de rol: los grupos exigen esos roles.
"""

from __future__ import annotations

import re
from functools import lru_cache
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from amauta_cli.dialecto import dialecto, orden_es
from amauta_cli.enums import Rol
from amauta_cli.errores import DatosInvalidos, OperacionRechazada
from amauta_cli.ids import ahora, cuid, cuids
from amauta_cli.parsing import elegir_enum, revisar_texto, sin_acentos, validar_email
from amauta_cli.textos import clave_orden, plural
from amauta_cli.services.comun import Cambio, buscar_usuario

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.orm import Session

    from amauta_cli import csvio

    from amauta_cli.models import Usuario

ROLES = [r.value for r in Rol]
#: Campos del modelo Perfil que amauta administra, en el orden en que se muestran.
CAMPOS_PERFIL = (
    "matricula",
    "grado",
    "ciudad",
    "pais",
    "telefono",
    "institucion",
    "bio",
    "especialidad",
    "experiencia",
)
Progreso = Callable[[int], None]


# --- Utilidades ---------------------------------------------------------------------------------
def en_lista(s: Session, expr: Any, valores: Sequence[str]) -> Any:
    """``expr IN (valores)`` con UN solo parámetro (ver ``Dialecto.en_lista``)."""
    return dialecto(s).en_lista(expr, valores)


@lru_cache(maxsize=256)
def elegir_rol(texto: str | Rol, campo: str = "rol") -> Rol:
    # En memoria: un archivo de 10.000 filas tiene dos o tres textos de rol distintos
    # (normalizarlos cada vez costaba ~250 ms de la importación).
    if isinstance(texto, Rol):
        return texto
    if not str(texto).strip():
        raise DatosInvalidos(f"{campo}: falta el rol ({', '.join(ROLES)})")
    return Rol(elegir_enum(str(texto), ROLES, campo))


def _texto_opcional(valor: str | None) -> str | None:
    if valor is None:
        return None
    valor = valor.strip()
    return valor or None


def parsear_campo_perfil(campo: str, texto: str) -> Any:
    """Convierte el texto de un campo del perfil. Vacío → ``None`` (o ``[]`` en especialidad)."""
    texto = texto.strip()
    if campo == "especialidad":
        return [p.strip() for p in re.split(r"[,;]", texto) if p.strip()]
    if campo == "experiencia":
        if not texto:
            return None
        if not re.fullmatch(r"\d{1,3}", texto):
            raise DatosInvalidos(
                f"experiencia: '{texto}' no es una cantidad de años válida (un entero de 0 a 999)"
            )
        return int(texto)
    return texto or None


def parsear_perfil(valores: dict[str, str | None]) -> tuple[dict[str, Any], list[str]]:
    """Los campos del perfil dados (los ``None`` se omiten) y los problemas encontrados."""
    perfil: dict[str, Any] = {}
    problemas: list[str] = []
    for campo in CAMPOS_PERFIL:
        texto = valores.get(campo)
        if texto is None:
            continue
        try:
            perfil[campo] = parsear_campo_perfil(campo, texto)
        except DatosInvalidos as e:
            problemas.append(e.mensaje)
    return perfil, problemas


def _exigir_nombre(valor: str, campo: str, problemas: list[str]) -> str:
    try:
        limpio = revisar_texto(valor, campo, campo)
    except DatosInvalidos as e:
        problemas.append(e.mensaje)
        return valor.strip()
    if not limpio:
        problemas.append(f"{campo}: no puede estar vacío")
    return limpio


# --- Alta ---------------------------------------------------------------------------------------
@dataclass
class NuevoUsuario:
    email: str
    nombre: str
    apellido: str
    rol: Rol
    avatar: str | None = None
    perfil: dict[str, Any] = field(default_factory=dict)


def preparar_alta(
    email: str,
    nombre: str,
    apellido: str,
    rol: str | Rol,
    avatar: str | None = None,
    perfil: dict[str, str | None] | None = None,
) -> NuevoUsuario:
    """Valida los datos de un usuario nuevo sin tocar la base; informa todos los problemas juntos."""
    problemas: list[str] = []
    try:
        email_ok = validar_email(email)
    except DatosInvalidos as e:
        problemas.append(e.mensaje)
        email_ok = email
    nombre = _exigir_nombre(nombre, "nombre", problemas)
    apellido = _exigir_nombre(apellido, "apellido", problemas)
    try:
        rol_ok = elegir_rol(rol)
    except DatosInvalidos as e:
        problemas.append(e.mensaje)
        rol_ok = Rol.ESTUDIANTE
    datos_perfil, otros = parsear_perfil(perfil or {})
    problemas += otros
    if problemas:
        raise DatosInvalidos("Datos inválidos; no se creó el usuario:", problemas)
    return NuevoUsuario(email_ok, nombre, apellido, rol_ok, _texto_opcional(avatar), datos_perfil)


def _email_registrado(s: Session, email: str, excepto_id: str | None = None) -> str | None:
    """El email tal como está guardado si ya lo usa otro usuario (sin distinguir mayúsculas)."""
    from amauta_cli.models import Usuario
    from sqlalchemy import func, select

    consulta = select(Usuario.email).where(func.lower(Usuario.email) == email.lower())
    if excepto_id is not None:
        consulta = consulta.where(Usuario.id != excepto_id)
    return s.scalar(consulta.limit(1))


def _exigir_email_libre(s: Session, email: str, excepto_id: str | None = None) -> None:
    guardado = _email_registrado(s, email, excepto_id)
    if guardado is not None:
        como = f" (registrado como '{guardado}')" if guardado != email else ""
        raise DatosInvalidos(
            f"Ya existe un usuario con el email '{email}'{como}: los emails son únicos sin "
            "distinguir mayúsculas. Vea el usuario con `amauta usuarios ver`."
        )


def verificar_alta(s: Session, nuevo: NuevoUsuario) -> None:
    """Lo que la base puede rechazar (email repetido), antes de pedir la contraseña."""
    _exigir_email_libre(s, nuevo.email)


def crear(s: Session, nuevo: NuevoUsuario, password: str) -> Usuario:
    """Crea el usuario y su perfil. ``password`` en claro: se valida y se guarda su hash bcrypt."""
    from amauta_cli.models import Perfil, Usuario

    from amauta_cli import seguridad

    verificar_alta(s, nuevo)
    seguridad.validar_password(password)
    u = Usuario(
        email=nuevo.email,
        nombre=nuevo.nombre,
        apellido=nuevo.apellido,
        rol=nuevo.rol,
        avatar=nuevo.avatar,
        password=seguridad.hashear(password),
        activo=True,
    )
    datos = {c: nuevo.perfil.get(c) for c in CAMPOS_PERFIL}
    datos["especialidad"] = datos["especialidad"] or []
    u.perfil = Perfil(**datos)
    s.add(u)
    s.flush()
    return u


# --- Listado ------------------------------------------------------------------------------------
@dataclass
class Pagina:
    filas: list[dict[str, Any]]
    total: int
    pagina: int
    por_pagina: int

    @property
    def paginas(self) -> int:
        return max(1, -(-self.total // self.por_pagina))


def listar(
    con: Any,
    rol: str | None = None,
    activo: bool | None = None,
    buscar: str | None = None,
    pagina: int = 1,
    por_pagina: int = 50,
) -> Pagina:
    """Una página de usuarios (en orden alfabético español por apellido, nombre y email) y el
    total que cumple los filtros.

    ``con``: una ``db.Cruda`` (el comando, sin SQLAlchemy) o una sesión de SQLAlchemy.
    """
    from amauta_cli.db import cruda
    from amauta_cli.services.comun import _patron_like

    if pagina < 1 or por_pagina < 1:
        raise DatosInvalidos("--pagina y --por-pagina deben ser enteros de 1 en adelante.")
    c = cruda(con)
    d = c.d
    condiciones: list[str] = []
    params: dict[str, Any] = {}
    if rol:
        condiciones.append("u.rol = :rol")
        params["rol"] = elegir_rol(rol).value
    if activo is not None:
        condiciones.append("u.activo = :activo")
        params["activo"] = activo
    if buscar and buscar.strip():
        # Coincidencia parcial sin mayúsculas ni acentos en nombre, apellido, email o matrícula.
        params["patron"] = _patron_like(sin_acentos(" ".join(buscar.split())))
        plegar = d.sin_acentos_sql_texto
        condiciones.append(
            "("
            + " OR ".join(
                f"{expr} LIKE :patron ESCAPE '/'"
                for expr in (
                    plegar("u.nombre || ' ' || u.apellido"),
                    plegar("u.apellido || ' ' || u.nombre"),
                    "lower(u.email)",
                    plegar("p.matricula"),
                )
            )
            + ")"
        )
    donde = f"WHERE {' AND '.join(condiciones)} " if condiciones else ""
    desde = 'FROM "Usuario" u LEFT JOIN "Perfil" p ON p."usuarioId" = u.id ' + donde
    total = int(c.valor("SELECT count(*) " + desde, **params) or 0)
    o = d.orden_es_sql
    filas = c.dicts(
        'SELECT u.id, u.email, u.nombre, u.apellido, u.rol, u.activo, p.matricula, p.grado, '
        'u."createdAt" ' + desde
        + f"ORDER BY {o('u.apellido')}, {o('u.nombre')}, u.email LIMIT :limite OFFSET :desde",
        **params,
        limite=por_pagina,
        desde=(pagina - 1) * por_pagina,
    )
    for f in filas:
        f["rol"] = Rol(f["rol"])
        f["activo"] = bool(f["activo"])
        f["createdAt"] = d.fecha_hora_de_bd(f["createdAt"])
    return Pagina(filas, total, pagina, por_pagina)


# --- Ficha --------------------------------------------------------------------------------------
def ver(s: Session, email: str) -> dict[str, Any]:
    """El usuario, su perfil, sus grupos y sus inscripciones (nunca el hash de la contraseña)."""
    from amauta_cli.models import Curso, Grupo, GrupoEstudiante, Inscripcion, Institucion, Perfil
    from sqlalchemy import select

    from amauta_cli.seguridad import es_inutilizable

    u = buscar_usuario(s, email)
    p = s.scalar(select(Perfil).where(Perfil.usuarioId == u.id))
    como_estudiante = s.execute(
        select(
            Grupo.id,
            Grupo.nombre,
            Institucion.nombre.label("institucion"),
            Grupo.activo,
            GrupoEstudiante.inscritoEn.label("desde"),
        )
        .join(GrupoEstudiante, GrupoEstudiante.grupoId == Grupo.id)
        .join(Institucion, Institucion.id == Grupo.institucionId)
        .where(GrupoEstudiante.estudianteId == u.id)
    ).all()
    como_educador = s.execute(
        select(
            Grupo.id,
            Grupo.nombre,
            Institucion.nombre.label("institucion"),
            Grupo.activo,
            Grupo.createdAt.label("desde"),
        )
        .join(Institucion, Institucion.id == Grupo.institucionId)
        .where(Grupo.educadorId == u.id)
    ).all()
    grupos = [
        {**dict(f._mapping), "participacion": "educador"} for f in como_educador
    ] + [{**dict(f._mapping), "participacion": "estudiante"} for f in como_estudiante]
    grupos.sort(key=lambda g: (clave_orden(g["institucion"]), clave_orden(g["nombre"])))
    inscripciones = [
        dict(f._mapping)
        for f in s.execute(
            select(
                Curso.titulo.label("curso"),
                Curso.slug,
                Inscripcion.estado,
                Inscripcion.progreso,
                Inscripcion.inscritoEn,
                Inscripcion.completadoEn,
            )
            .join(Curso, Curso.id == Inscripcion.cursoId)
            .where(Inscripcion.usuarioId == u.id)
            .order_by(Inscripcion.inscritoEn, Curso.titulo)
        )
    ]
    return {
        "id": u.id,
        "email": u.email,
        "nombre": u.nombre,
        "apellido": u.apellido,
        "rol": u.rol,
        "activo": u.activo,
        "password_definida": not es_inutilizable(u.password),
        "avatar": u.avatar,
        "emailVerificado": u.emailVerificado,
        "createdAt": u.createdAt,
        "updatedAt": u.updatedAt,
        "perfil": None if p is None else {c: getattr(p, c) for c in CAMPOS_PERFIL},
        "grupos": grupos,
        "inscripciones": inscripciones,
    }


# --- Reglas de rol y actividad ------------------------------------------------------------------------
def _exigir_otro_super_admin(s: Session, u: Usuario, accion: str) -> None:
    """Rechaza dejar la plataforma sin un SUPER_ADMIN activo.

    Bloquea (en PostgreSQL) las filas de los SUPER_ADMIN activos en orden de id: dos
    comandos simultáneos sobre dos administradores se serializan en lugar de dejar cero.
    En SQLite, BEGIN IMMEDIATE ya serializa a los escritores.
    """
    from amauta_cli.models import Usuario
    from sqlalchemy import select

    if u.rol != Rol.SUPER_ADMIN or not u.activo:
        return
    activos = s.scalars(
        select(Usuario.id)
        .where(Usuario.rol == Rol.SUPER_ADMIN, Usuario.activo.is_(True))
        .order_by(Usuario.id)
        .with_for_update()
    ).all()
    if not [i for i in activos if i != u.id]:
        raise OperacionRechazada(
            f"No se puede {accion} a '{u.email}': es el último SUPER_ADMIN activo y la "
            "plataforma quedaría sin administración global. Cree o active otro SUPER_ADMIN primero."
        )


def _grupos_activos_que_dirige(s: Session, ids: Sequence[str]) -> dict[str, list[str]]:
    from amauta_cli.models import Grupo
    from sqlalchemy import select

    filas = s.execute(
        select(Grupo.educadorId, Grupo.nombre)
        .where(en_lista(s, Grupo.educadorId, ids), Grupo.activo.is_(True))
        .order_by(*orden_es(s, Grupo.nombre))
    ).all()
    res: dict[str, list[str]] = {}
    for uid, nombre in filas:
        res.setdefault(uid, []).append(nombre)
    return res


def _grupos_activos_como_estudiante(s: Session, ids: Sequence[str]) -> dict[str, list[str]]:
    from amauta_cli.models import Grupo, GrupoEstudiante
    from sqlalchemy import select

    filas = s.execute(
        select(GrupoEstudiante.estudianteId, Grupo.nombre)
        .join(Grupo, Grupo.id == GrupoEstudiante.grupoId)
        .where(en_lista(s, GrupoEstudiante.estudianteId, ids), Grupo.activo.is_(True))
        .order_by(*orden_es(s, Grupo.nombre))
    ).all()
    res: dict[str, list[str]] = {}
    for uid, nombre in filas:
        res.setdefault(uid, []).append(nombre)
    return res


def _problema_cambio_rol(
    rol_actual: Rol, rol_nuevo: Rol, dirige: list[str] | None, cursa: list[str] | None
) -> str | None:
    if rol_actual == rol_nuevo:
        return None
    if rol_actual == Rol.EDUCADOR and dirige:
        return (
            f"no puede dejar de ser EDUCADOR: está a cargo de {plural(len(dirige), 'grupo activo')} "
            f"({', '.join(dirige)}); desactive esos grupos con `amauta grupos desactivar` primero"
        )
    if rol_actual == Rol.ESTUDIANTE and cursa:
        return (
            f"no puede dejar de ser ESTUDIANTE: está en {plural(len(cursa), 'grupo activo')} "
            f"({', '.join(cursa)}); quítelo con `amauta grupos quitar-estudiante` primero"
        )
    return None


# --- Edición ------------------------------------------------------------------------------------
def editar(
    s: Session,
    email: str,
    *,
    nombre: str | None = None,
    apellido: str | None = None,
    email_nuevo: str | None = None,
    rol: str | None = None,
    avatar: str | None = None,
    perfil: dict[str, str | None] | None = None,
) -> tuple[Usuario, list[Cambio]]:
    """Aplica los cambios dados (``None`` = no tocar; ``""`` en un campo opcional = vaciarlo).

    Devuelve el usuario y la lista de cambios efectivos (vacía si nada cambió).
    """
    from amauta_cli.models import Perfil

    problemas: list[str] = []
    nuevos: dict[str, Any] = {}
    if email_nuevo is not None:
        try:
            nuevos["email"] = validar_email(email_nuevo, "email nuevo")
        except DatosInvalidos as e:
            problemas.append(e.mensaje)
    if nombre is not None:
        nuevos["nombre"] = _exigir_nombre(nombre, "nombre", problemas)
    if apellido is not None:
        nuevos["apellido"] = _exigir_nombre(apellido, "apellido", problemas)
    if rol is not None:
        try:
            nuevos["rol"] = elegir_rol(rol)
        except DatosInvalidos as e:
            problemas.append(e.mensaje)
    if avatar is not None:
        nuevos["avatar"] = _texto_opcional(avatar)
    datos_perfil, otros = parsear_perfil(perfil or {})
    problemas += otros
    if problemas:
        raise DatosInvalidos("Datos inválidos; no se modificó el usuario:", problemas)

    u = buscar_usuario(s, email)
    cambios: list[Cambio] = []
    for campo, valor in nuevos.items():
        if getattr(u, campo) != valor:
            cambios.append(Cambio(campo, getattr(u, campo), valor))
    if "email" in nuevos and nuevos["email"] != u.email:
        _exigir_email_libre(s, nuevos["email"], excepto_id=u.id)
    if "rol" in nuevos and nuevos["rol"] != u.rol:
        if u.rol == Rol.SUPER_ADMIN:
            _exigir_otro_super_admin(s, u, f"cambiarle el rol a {nuevos['rol'].value}")
        motivo = _problema_cambio_rol(
            u.rol,
            nuevos["rol"],
            _grupos_activos_que_dirige(s, [u.id]).get(u.id),
            _grupos_activos_como_estudiante(s, [u.id]).get(u.id),
        )
        if motivo:
            raise OperacionRechazada(f"El usuario '{u.email}' {motivo}.")
    for c in cambios:
        setattr(u, c.campo, c.despues)

    p = u.perfil
    for campo, valor in datos_perfil.items():
        actual = getattr(p, campo) if p is not None else None
        if campo == "especialidad":
            actual = actual or []
        if actual != valor:
            cambios.append(Cambio(f"perfil.{campo}", actual, valor))
    if any(c.campo.startswith("perfil.") for c in cambios):
        if p is None:
            p = Perfil(usuarioId=u.id, especialidad=[])
            s.add(p)
        for campo, valor in datos_perfil.items():
            setattr(p, campo, valor)
    if cambios:
        u.updatedAt = ahora()
    s.flush()
    return u, cambios


# --- Activación y contraseña --------------------------------------------------------------------------
@dataclass
class ResultadoActivacion:
    usuario: Usuario
    cambiado: bool
    avisos: list[str] = field(default_factory=list)


def desactivar(s: Session, email: str) -> ResultadoActivacion:
    """Baja lógica (``activo = false``), como prevé el diseño. El último SUPER_ADMIN no se desactiva."""
    u = buscar_usuario(s, email)
    if not u.activo:
        return ResultadoActivacion(u, False)
    _exigir_otro_super_admin(s, u, "desactivar")
    avisos = []
    dirige = _grupos_activos_que_dirige(s, [u.id]).get(u.id)
    if dirige:
        avisos.append(
            f"'{u.email}' sigue figurando como educador de {plural(len(dirige), 'grupo activo')}: "
            f"{', '.join(dirige)}."
        )
    u.activo = False
    u.updatedAt = ahora()
    s.flush()
    return ResultadoActivacion(u, True, avisos)


def activar(s: Session, email: str) -> ResultadoActivacion:
    u = buscar_usuario(s, email)
    if u.activo:
        return ResultadoActivacion(u, False)
    u.activo = True
    u.updatedAt = ahora()
    s.flush()
    return ResultadoActivacion(u, True)


def cambiar_password(s: Session, email: str, password: str) -> Usuario:
    """Guarda el hash bcrypt de la nueva contraseña (también para usuarios inactivos)."""
    from amauta_cli import seguridad

    u = buscar_usuario(s, email)
    seguridad.validar_password(password)
    u.password = seguridad.hashear(password)
    u.updatedAt = ahora()
    s.flush()
    return u


# --- Exportación --------------------------------------------------------------------------------
def exportar(s: Session, lote: int = 1000) -> Iterator[dict[str, Any]]:
    """Todos los usuarios con su perfil, en streaming (cursor del servidor en PostgreSQL).

    En lugar del hash, ``password_definida`` dice si el usuario ya tiene contraseña.
    Las columnas son las de ``usuarios importar`` (más datos de solo lectura), así que
    el archivo vuelve a importarse con ``--actualizar``.
    """
    from amauta_cli.models import Perfil, Usuario
    from sqlalchemy import func, select

    from amauta_cli.seguridad import PREFIJO_INUTILIZABLE

    definida = (func.substr(Usuario.password, 1, 1) != PREFIJO_INUTILIZABLE) & (
        Usuario.password != ""
    )
    consulta = (
        select(
            Usuario.email,
            Usuario.nombre,
            Usuario.apellido,
            Usuario.rol,
            Usuario.activo,
            definida.label("password_definida"),
            *(getattr(Perfil, c) for c in CAMPOS_PERFIL),
            Usuario.avatar,
            Usuario.emailVerificado,
            Usuario.id,
            Usuario.createdAt,
            Usuario.updatedAt,
        )
        .outerjoin(Perfil, Perfil.usuarioId == Usuario.id)
        .order_by(Usuario.email)
    )
    resultado = s.execute(consulta, execution_options={"yield_per": lote})
    for fila in resultado:
        d = dict(fila._mapping)
        d["password_definida"] = bool(d["password_definida"])
        yield d


# --- Importación --------------------------------------------------------------------------------
COLUMNAS_REQUERIDAS = ["email", "nombre", "apellido", "rol"]
COLUMNAS_OPCIONALES = ["password", "avatar", *CAMPOS_PERFIL]
_CAMPOS_USUARIO_ACTUALIZABLES = ("nombre", "apellido", "rol", "avatar")


@dataclass
class FilaImportacion:
    """Una fila válida del CSV y lo que se hará con ella."""

    linea: int
    email: str
    nombre: str
    apellido: str
    rol: Rol
    avatar: str | None
    #: Solo las celdas del perfil con valor (una celda vacía no borra nada).
    perfil: dict[str, Any]
    password: str | None = field(default=None, repr=False)
    accion: str = "crear"  # crear | actualizar | sin_cambios
    usuario_id: str | None = None
    cambios: list[str] = field(default_factory=list)
    hash: str | None = field(default=None, repr=False)
    #: Valores completos (existentes + cambios) para escribir en una actualización.
    usuario_final: dict[str, Any] = field(default_factory=dict, repr=False)
    perfil_final: dict[str, Any] | None = field(default=None, repr=False)


@dataclass
class PlanImportacion:
    filas: list[FilaImportacion]
    actualizar: bool
    columnas: list[str]
    columnas_ignoradas: list[str]
    codificacion: str
    separador: str

    def _cuantas(self, accion: str) -> int:
        return sum(1 for f in self.filas if f.accion == accion)

    @property
    def a_crear(self) -> int:
        return self._cuantas("crear")

    @property
    def a_actualizar(self) -> int:
        return self._cuantas("actualizar")

    @property
    def sin_cambios(self) -> int:
        return self._cuantas("sin_cambios")

    @property
    def con_password(self) -> int:
        return sum(1 for f in self.filas if f.accion == "crear" and f.password)

    @property
    def passwords_ignoradas(self) -> int:
        return sum(1 for f in self.filas if f.accion != "crear" and f.password)

    def detalle(self) -> Iterator[dict[str, Any]]:
        """Una fila por línea del CSV: qué se haría (para ``--simular``)."""
        for f in self.filas:
            if f.accion == "crear":
                nota = "con contraseña" if f.password else "contraseña pendiente"
                yield {"linea": f.linea, "email": f.email, "accion": "crear", "detalle": nota}
            else:
                detalle = "; ".join(f.cambios)
                if f.password:
                    detalle = "; ".join(
                        x for x in (detalle, "contraseña ignorada: el usuario ya existe") if x
                    )
                yield {
                    "linea": f.linea,
                    "email": f.email,
                    "accion": "actualizar" if f.accion == "actualizar" else "sin cambios",
                    "detalle": detalle,
                }


def _linea_de(problema: str) -> int:
    m = re.match(r"línea (\d+)", problema)
    return int(m.group(1)) if m else 0


def _validar_fila(fila: csvio.FilaCSV, problemas: list[str]) -> FilaImportacion | None:
    from amauta_cli import csvio

    from amauta_cli.seguridad import validar_password

    v = fila.valores
    errores: list[str] = []
    try:
        email = validar_email(v["email"]) if v["email"] else ""
        if not email:
            errores.append("email: falta el email")
    except DatosInvalidos as e:
        errores.append(e.mensaje)
        email = ""
    nombre = _exigir_nombre(v["nombre"], "nombre", errores)
    apellido = _exigir_nombre(v["apellido"], "apellido", errores)
    try:
        rol = elegir_rol(v["rol"])
    except DatosInvalidos as e:
        errores.append(e.mensaje)
        rol = Rol.ESTUDIANTE
    perfil, otros = parsear_perfil({c: v[c] for c in CAMPOS_PERFIL if v.get(c)})
    errores += otros
    password = v.get("password") or None
    if password is not None:
        try:
            validar_password(password)
        except DatosInvalidos as e:
            errores.append(f"password: {e.mensaje}")
    if errores:
        problemas.append(csvio.problema_linea(fila.linea, "; ".join(errores)))
        return None
    return FilaImportacion(
        linea=fila.linea,
        email=email,
        nombre=nombre,
        apellido=apellido,
        rol=rol,
        avatar=v.get("avatar") or None,
        perfil=perfil,
        password=password,
    )


def _validacion_rapida(columnas: Sequence[str]) -> Callable[[dict[str, str]], tuple | None]:
    """Para una importación grande, la validación de ``_validar_fila`` del caso común en una
    sola función: devuelve ``(email, nombre, apellido, rol, avatar, especialidad,
    *resto_del_perfil)`` de una fila válida, o ``None`` si la fila merece la validación
    completa (que da los mensajes). Sin objetos por fila: a 10.000 filas, la mitad del tiempo.

    Las celdas llegan de ``csvio`` sin espacios alrededor, en NFC y sin caracteres de control.
    """
    from amauta_cli.parsing import _EMAIL, LIMITES

    email_ok = _EMAIL.fullmatch
    max_email, max_nombre, max_apellido = LIMITES["email"], LIMITES["nombre"], LIMITES["apellido"]
    perfil = [c for c in CAMPOS_PERFIL if c != "especialidad"]
    simples = [c for c in perfil if c != "experiencia" and c in columnas]
    con_especialidad = "especialidad" in columnas
    con_experiencia = "experiencia" in columnas
    con_avatar = "avatar" in columnas
    experiencia_ok = re.compile(r"\d{1,3}").fullmatch
    roles: dict[str, str] = {}

    def validar(v: dict[str, str]) -> tuple | None:
        email = v["email"].lower()
        nombre, apellido, texto_rol = v["nombre"], v["apellido"], v["rol"]
        if not (
            email and len(email) <= max_email and email_ok(email)
            and nombre and len(nombre) <= max_nombre and apellido and len(apellido) <= max_apellido
        ):
            return None
        rol = roles.get(texto_rol)
        if rol is None:
            try:
                rol = roles[texto_rol] = elegir_rol(texto_rol).value
            except DatosInvalidos:
                return None
        datos = {c: v[c] or None for c in simples}
        if con_experiencia and (x := v["experiencia"]):
            if not experiencia_ok(x):
                return None
            datos["experiencia"] = int(x)
        especialidad = (
            [p.strip() for p in re.split(r"[,;]", v["especialidad"]) if p.strip()]
            if con_especialidad and v["especialidad"] else []
        )
        return (
            email, nombre, apellido, rol, (v["avatar"] or None) if con_avatar else None, especialidad,
            *[datos.get(c) for c in perfil],
        )

    return validar


def _existentes(con: Any, emails: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Usuarios (con su perfil) cuyos emails, en minúsculas, están en ``emails``: UNA consulta.

    SQL a secas (``con``: una ``db.Cruda`` o una sesión): ``importar`` sin ``--actualizar`` no
    importa SQLAlchemy ni los modelos."""
    import json

    from amauta_cli.db import cruda

    if not emails:
        return {}
    c = cruda(con)
    donde, valor = c.d.en_lista_sql("lower(u.email)", "emails", list(emails))
    perfil = ", ".join(f'p."{col}" AS "perfil_{col}"' for col in CAMPOS_PERFIL)
    filas = c.dicts(
        "SELECT lower(u.email) AS clave, u.id, u.email, u.nombre, u.apellido, u.rol, u.activo, "
        f'u.avatar, p.id AS perfil_id, {perfil} FROM "Usuario" u '
        f'LEFT JOIN "Perfil" p ON p."usuarioId" = u.id WHERE {donde}',
        emails=valor,
    )
    resultado = {}
    for f in filas:
        f["rol"] = Rol(f["rol"])
        f["activo"] = bool(f["activo"])
        if isinstance(f["perfil_especialidad"], str):  # SQLite: la lista va como JSON
            f["perfil_especialidad"] = json.loads(f["perfil_especialidad"])
        resultado[f.pop("clave")] = f
    return resultado


def _clasificar(s: Session, filas: list[FilaImportacion], actualizar: bool) -> list[str]:
    """Decide crear / actualizar / sin cambios contra la base; devuelve los problemas."""
    from amauta_cli import csvio

    problemas: list[str] = []
    existentes = _existentes(s, [f.email for f in filas])
    cambian_rol: list[tuple[FilaImportacion, dict[str, Any]]] = []
    for f in filas:
        e = existentes.get(f.email)
        if e is None:
            f.accion, f.usuario_id, f.cambios = "crear", None, []
            f.usuario_final, f.perfil_final = {}, None
            continue
        if not actualizar:
            como = f" (registrado como '{e['email']}')" if e["email"] != f.email else ""
            problemas.append(
                csvio.problema_linea(
                    f.linea,
                    f"ya existe un usuario con el email '{f.email}'{como}; "
                    "use --actualizar para modificar los existentes",
                )
            )
            continue
        f.usuario_id = e["id"]
        final = {"nombre": f.nombre, "apellido": f.apellido, "rol": f.rol}
        if f.avatar is not None:
            final["avatar"] = f.avatar
        cambios = [
            f"{c}: {_mostrar(e[c])} → {_mostrar(v)}" for c, v in final.items() if e[c] != v
        ]
        perfil_actual = {c: e[f"perfil_{c}"] for c in CAMPOS_PERFIL}
        perfil_actual["especialidad"] = perfil_actual["especialidad"] or []
        perfil_final = {**perfil_actual, **f.perfil}
        cambios += [
            f"{c}: {_mostrar(perfil_actual[c])} → {_mostrar(v)}"
            for c, v in f.perfil.items()
            if perfil_actual[c] != v
        ]
        f.cambios = cambios
        f.accion = "actualizar" if cambios else "sin_cambios"
        f.usuario_final = {
            "nombre": f.nombre,
            "apellido": f.apellido,
            "rol": f.rol,
            "avatar": f.avatar if f.avatar is not None else e["avatar"],
        }
        f.perfil_final = perfil_final
        if e["rol"] != f.rol:
            cambian_rol.append((f, e))
    if cambian_rol:
        problemas += _problemas_de_rol(s, cambian_rol)
    return problemas


def _mostrar(valor: Any) -> str:
    if valor is None or valor == []:
        return "—"
    if isinstance(valor, Rol):
        return valor.value
    if isinstance(valor, list):
        return ", ".join(valor)
    return str(valor)


def _problemas_de_rol(
    s: Session, cambian: list[tuple[FilaImportacion, dict[str, Any]]]
) -> list[str]:
    """Las reglas de cambio de rol, para todas las filas a la vez (tres consultas en total)."""
    from amauta_cli import csvio

    from amauta_cli.models import Usuario
    from sqlalchemy import select

    problemas: list[str] = []
    ids = [e["id"] for _, e in cambian]
    dirige = _grupos_activos_que_dirige(s, ids)
    cursa = _grupos_activos_como_estudiante(s, ids)
    for f, e in cambian:
        motivo = _problema_cambio_rol(e["rol"], f.rol, dirige.get(e["id"]), cursa.get(e["id"]))
        if motivo:
            problemas.append(csvio.problema_linea(f.linea, f"el usuario '{f.email}' {motivo}"))
    degradados = [(f, e) for f, e in cambian if e["rol"] == Rol.SUPER_ADMIN and e["activo"]]
    if degradados:
        activos = set(
            s.scalars(
                select(Usuario.id)
                .where(Usuario.rol == Rol.SUPER_ADMIN, Usuario.activo.is_(True))
                .order_by(Usuario.id)
                .with_for_update()
            )
        )
        if not activos - {e["id"] for _, e in degradados}:
            for f, _ in degradados:
                problemas.append(
                    csvio.problema_linea(
                        f.linea,
                        f"'{f.email}' dejaría de ser SUPER_ADMIN y no quedaría ningún "
                        "SUPER_ADMIN activo; deje al menos uno con ese rol",
                    )
                )
    return problemas


def planificar_importacion(
    s: Session, origen: csvio.Origen, actualizar: bool = False
) -> PlanImportacion:
    """Lee y valida TODO el CSV contra la base, sin escribir nada.

    Lanza ``DatosInvalidos`` con cada línea con problemas (número de línea y motivo) si
    hay al menos una. No necesita una transacción de escritura.
    """
    from amauta_cli import csvio

    problemas: list[str] = []
    lector = csvio.iterar_csv(
        origen, COLUMNAS_REQUERIDAS, COLUMNAS_OPCIONALES, problemas=problemas
    )
    filas: list[FilaImportacion] = []
    primera: dict[str, int] = {}
    for fila_csv in lector:
        f = _validar_fila(fila_csv, problemas)
        if f is None:
            # Aun inválida, la línea cuenta para detectar repetidos posteriores.
            e = fila_csv.valores.get("email", "").strip().lower()
            if e:
                primera.setdefault(e, fila_csv.linea)
            continue
        anterior = primera.setdefault(f.email, f.linea)
        if anterior != f.linea:
            problemas.append(
                csvio.problema_linea(
                    f.linea, f"el email '{f.email}' está repetido (ya aparece en la línea {anterior})"
                )
            )
            continue
        filas.append(f)
    problemas += _clasificar(s, filas, actualizar)
    if problemas:
        problemas.sort(key=_linea_de)
        raise DatosInvalidos(
            f"El archivo tiene {plural(len(problemas), 'problema')}; no se importó nada. "
            "Corrija estas líneas y vuelva a intentar:",
            problemas,
        )
    if not filas:
        raise DatosInvalidos("El archivo no tiene filas de datos (solo el encabezado); no se importó nada.")
    return PlanImportacion(
        filas=filas,
        actualizar=actualizar,
        columnas=lector.columnas,
        columnas_ignoradas=lector.columnas_ignoradas,
        codificacion=lector.codificacion,
        separador=lector.separador,
    )


def hashear_passwords(plan: PlanImportacion, progreso: Progreso | None = None) -> int:
    """Calcula los hashes bcrypt de las filas nuevas con contraseña, en todos los núcleos.

    Se hace fuera de toda transacción (puede llevar minutos). Devuelve cuántos hashes calculó.
    """
    from amauta_cli.seguridad import hashear_muchos

    con_pw = [f for f in plan.filas if f.accion == "crear" and f.password and f.hash is None]
    avance = (lambda _hechos: progreso(1)) if progreso else None
    hashes = hashear_muchos([f.password or "" for f in con_pw], avance)
    for f, h in zip(con_pw, hashes):
        f.hash = h
    return len(hashes)


@dataclass
class ResultadoImportacion:
    creados: int
    actualizados: int
    sin_cambios: int
    con_password: int
    passwords_ignoradas: int


def aplicar_importacion(
    s: Session, plan: PlanImportacion, progreso: Progreso | None = None, lote: int = 1000
) -> ResultadoImportacion:
    """Escribe el plan en la transacción de ``s``: inserciones y actualizaciones por lotes.

    ``s``: una sesión, o una ``db.Cruda`` cuando el plan solo crea (sin ``--actualizar``).
    Vuelve a clasificar las filas contra la base dentro de la transacción; si otro
    proceso cambió algo que altera el plan, no escribe nada.
    """
    from amauta_cli.seguridad import passwords_inutilizables

    antes = [(f.accion, f.usuario_id) for f in plan.filas]
    problemas = _clasificar(s, plan.filas, plan.actualizar)
    if problemas or antes != [(f.accion, f.usuario_id) for f in plan.filas]:
        raise OperacionRechazada(
            "La base cambió mientras se preparaba la importación (otro proceso creó o modificó "
            "usuarios del archivo); no se importó nada. Vuelva a ejecutar el comando.",
            sorted(problemas, key=_linea_de),
        )
    nuevas = [f for f in plan.filas if f.accion == "crear"]
    if any(f.password and f.hash is None for f in nuevas):
        hashear_passwords(plan)
    t = ahora()
    usuarios: list[dict[str, Any]] = []
    perfiles: list[dict[str, Any]] = []
    # Ids de una vez (cuids): 10.000 usuarios + perfiles, ~20 ms en lugar de ~200 ms.
    ids = iter(cuids(2 * len(nuevas)))
    sin_clave = iter(passwords_inutilizables(sum(1 for f in nuevas if not f.hash)))
    for f in nuevas:
        uid = next(ids)
        usuarios.append(
            {
                "id": uid,
                "email": f.email,
                "nombre": f.nombre,
                "apellido": f.apellido,
                "rol": f.rol.value,
                "password": f.hash or next(sin_clave),
                "avatar": f.avatar,
                "activo": True,
                "emailVerificado": None,
                "createdAt": t,
                "updatedAt": t,
            }
        )
        perfil = {c: f.perfil.get(c) for c in CAMPOS_PERFIL}
        perfil["especialidad"] = perfil["especialidad"] or []
        perfiles.append({"id": next(ids), "usuarioId": uid, **perfil, "createdAt": t, "updatedAt": t})
    from amauta_cli.db import Cruda

    try:
        if isinstance(s, Cruda):  # sin --actualizar: el camino crudo, sin SQLAlchemy
            s.d.insertar_masivo_sql(s, "Usuario", usuarios, progreso, lote)
            s.d.insertar_masivo_sql(s, "Perfil", perfiles, None, lote)
        else:
            from amauta_cli.models import Perfil, Usuario

            insertar_filas(s, Usuario.__table__, usuarios, progreso, lote)
            insertar_filas(s, Perfil.__table__, perfiles, None, lote)
            _actualizar_existentes(s, [f for f in plan.filas if f.accion == "actualizar"], t, progreso, lote)
    except Exception as e:  # noqa: BLE001 - solo se traduce la violación de unicidad
        if "unique" in str(e).lower() or "duplicate key" in str(e).lower():
            raise OperacionRechazada(
                "Otro proceso creó usuarios con los mismos emails mientras se importaba; "
                "no se importó nada. Vuelva a ejecutar el comando."
            ) from None
        raise
    return ResultadoImportacion(
        creados=len(nuevas),
        actualizados=plan.a_actualizar,
        sin_cambios=plan.sin_cambios,
        con_password=plan.con_password,
        passwords_ignoradas=plan.passwords_ignoradas,
    )


def lector_importacion(origen: csvio.Origen, problemas: list[str]) -> csvio.LectorCSV:
    """El lector del CSV de ``usuarios importar`` (valida el encabezado enseguida)."""
    from amauta_cli import csvio

    return csvio.iterar_csv(origen, COLUMNAS_REQUERIDAS, COLUMNAS_OPCIONALES, problemas=problemas)


class ImportacionConProblemas(Exception):
    """``importar_nuevos`` encontró una fila con problemas (o un email ya registrado): su
    transacción se deshace y el informe completo, con todas las líneas, lo da el camino de
    ``planificar_importacion``."""


def importar_nuevos(
    c: Any, lector: csvio.LectorCSV, problemas: list[str], progreso: Progreso | None = None, tramo: int = 2500
) -> ResultadoImportacion:
    """``usuarios importar`` sin ``--actualizar`` de un CSV sin columna ``password``: todo en la
    transacción de ``c`` (una ``db.Cruda``) y en una sola pasada por el archivo.

    Por tramos de filas: cada tramo se valida en Python, se envía (con sus ids ya generados) a
    una tabla temporal, y dos ``INSERT ... SELECT`` lo pasan a ``Usuario`` y ``Perfil`` en el
    servidor, como lo haría un script de SQL. En PostgreSQL esos INSERT van sin esperar su
    resultado (``sin_esperar``): el servidor guarda un tramo mientras Python valida el siguiente.

    Ante la primera fila con problemas, un email ya registrado (mayúsculas aparte) o un CSV mal
    formado, lanza ``ImportacionConProblemas``: quien llama deshace la transacción y usa
    ``planificar_importacion``, que informa todas las líneas. Así el caso común no paga por el
    informe y un archivo con errores no deja nada escrito.
    """
    from itertools import chain, repeat

    from amauta_cli.seguridad import passwords_inutilizables

    d = c.d
    perfil_sin_lista = [col for col in CAMPOS_PERFIL if col != "especialidad"]
    columnas = ["linea", "id", "perfil_id", "email", "nombre", "apellido", "rol", "password", "avatar",
                "especialidad", *perfil_sin_lista]
    tabla = d.crear_temporal_sql(
        c,
        "_amauta_usuarios_nuevos",
        f"linea INTEGER, id TEXT, perfil_id TEXT, email TEXT, nombre TEXT, apellido TEXT, "
        f"rol {d.tipo_enum('Rol')}, password TEXT, avatar TEXT, especialidad {d.tipo_lista_texto}, "
        + ", ".join(f"{col} {'INTEGER' if col == 'experiencia' else 'TEXT'}" for col in perfil_sin_lista),
        cruce=["email"],
    )
    t = d.fecha_hora_a_bd(ahora())
    perfil = ", ".join(perfil_sin_lista)
    pasar = [
        'INSERT INTO "Usuario" (id, email, nombre, apellido, rol, password, avatar, activo, '
        f'"createdAt", "updatedAt") SELECT id, email, nombre, apellido, rol, password, avatar, '
        f"TRUE, :t, :t FROM {tabla} WHERE linea >= :desde",
        f'INSERT INTO "Perfil" (id, "usuarioId", especialidad, {perfil}, "createdAt", "updatedAt") '
        f"SELECT perfil_id, id, especialidad, {perfil}, :t, :t FROM {tabla} WHERE linea >= :desde",
    ]
    # Ids (cuids) y marcas de "sin contraseña" por tramos: de a una cuestan diez veces más.
    ids = chain.from_iterable(cuids(2 * tramo) for _ in repeat(None))
    marcas = chain.from_iterable(passwords_inutilizables(tramo) for _ in repeat(None))
    lista = d.lista_para_carga
    validar = _validacion_rapida(lector.columnas)
    vistos: set[str] = set()
    filas: list[tuple] = []
    cargadas = 0
    enviando = None
    try:
        for fila_csv in chain(lector, [None]):
            if fila_csv is not None:
                r = validar(fila_csv.valores)
                if r is None or r[0] in vistos or problemas:
                    raise ImportacionConProblemas
                vistos.add(r[0])
                filas.append(
                    (fila_csv.linea, next(ids), next(ids), *r[:4], next(marcas), r[4], lista(r[5]), *r[6:])
                )
                # El primer tramo, corto: el servidor empieza a guardar cuanto antes.
                if len(filas) < (tramo if cargadas else tramo // 5):
                    continue
            if problemas:  # una línea mal formada al final del archivo
                raise ImportacionConProblemas
            if not filas:
                break
            if enviando is not None:  # espera los INSERT del tramo anterior
                enviando.__exit__(None, None, None)
                enviando = None
            d.cargar_temporal_sql(c, tabla, columnas, filas)
            enviando = d.sin_esperar(c)
            enviando.__enter__()
            for sql in pasar:
                c.ejecutar(sql, t=t, desde=filas[0][0])
            cargadas += len(filas)
            if progreso:
                progreso(len(filas))
            filas = []
        if enviando is not None:
            enviando.__exit__(None, None, None)
            enviando = None
    except Exception as e:
        if enviando is not None:
            try:
                enviando.__exit__(None, None, None)
            except Exception:  # noqa: BLE001 - ya hay un error que informar
                pass
        texto = str(e).lower()
        if isinstance(e, ImportacionConProblemas) or "unique" in texto or "duplicate key" in texto:
            raise ImportacionConProblemas from None
        raise
    if not cargadas:
        raise DatosInvalidos("El archivo no tiene filas de datos (solo el encabezado); no se importó nada.")
    # Los emails ya registrados con otras mayúsculas (el índice único de Prisma distingue
    # 'Ana@x' de 'ana@x'; amauta no; los iguales ya los rechazó ese índice): una consulta al
    # final. Los del archivo están en minúsculas: solo se miran los registrados que no.
    if c.valor(
        f'SELECT 1 FROM "Usuario" u WHERE u.email <> lower(u.email) '
        f"AND lower(u.email) IN (SELECT email FROM {tabla}) LIMIT 1"
    ):
        raise ImportacionConProblemas
    return ResultadoImportacion(
        creados=cargadas, actualizados=0, sin_cambios=0, con_password=0, passwords_ignoradas=0
    )


def insertar_filas(
    s: Session,
    tabla: Any,
    filas: list[dict[str, Any]],
    progreso: Progreso | None = None,
    lote: int = 1000,
) -> None:
    """Inserción masiva en la transacción de ``s``; cada fila trae todas sus columnas
    (ids y fechas incluidas, como las pone el cliente de Prisma).

    - PostgreSQL: ``COPY ... FROM STDIN`` por la conexión de psycopg de la sesión.
    - SQLite: una sola sentencia INSERT compilada una vez y ejecutada con ``executemany``
      por lotes (sqlite3 la recorre en C).

    Medido con 10.000 usuarios + perfiles: COPY 0,16-0,22 s y executemany 0,43 s en
    PostgreSQL; executemany 0,28 s en SQLite; un INSERT de 1.000 filas por sentencia
    armado por SQLAlchemy tarda 5 s (PostgreSQL) y 8 s (SQLite), casi todo compilándolo.
    """
    if not filas:
        return
    dialecto(s).insertar_masivo(s.connection(), tabla, filas, progreso, lote)


def _actualizar_existentes(
    s: Session, filas: list[FilaImportacion], t: Any, progreso: Progreso | None, lote: int
) -> None:
    """Actualiza usuarios y hace upsert de sus perfiles: dos sentencias compiladas una vez y
    ejecutadas con ``executemany`` (en PostgreSQL, SQLAlchemy las agrupa en lotes).
    """
    from amauta_cli.models import Perfil, Usuario
    from sqlalchemy import bindparam, update

    if not filas:
        return
    tu = Usuario.__table__
    s.connection().execute(
        update(tu)
        .where(tu.c.id == bindparam("u_id"))
        .values(
            nombre=bindparam("u_nombre"),
            apellido=bindparam("u_apellido"),
            rol=bindparam("u_rol", type_=tu.c.rol.type),
            avatar=bindparam("u_avatar"),
            updatedAt=bindparam("u_t"),
        ),
        [
            {
                "u_id": f.usuario_id,
                "u_nombre": f.usuario_final["nombre"],
                "u_apellido": f.usuario_final["apellido"],
                "u_rol": f.usuario_final["rol"],
                "u_avatar": f.usuario_final["avatar"],
                "u_t": t,
            }
            for f in filas
        ],
    )
    tp = Perfil.__table__
    ins = dialecto(s).insertar(tp)
    perfiles = [
        {"id": i, "usuarioId": f.usuario_id, **(f.perfil_final or {}), "createdAt": t, "updatedAt": t}
        for f, i in zip(filas, cuids(len(filas)))
    ]
    upsert = ins.on_conflict_do_update(
        index_elements=[tp.c.usuarioId],
        set_={c: ins.excluded[c] for c in (*CAMPOS_PERFIL, "updatedAt")},
    )
    con = s.connection()
    for i in range(0, len(perfiles), lote):
        trozo = perfiles[i : i + lote]
        con.execute(upsert, trozo)
        if progreso:
            progreso(len(trozo))
