"""El archivo de ``amauta seed``: lectura del YAML y validación completa antes de escribir.

``cargar(ruta)`` devuelve ``DatosSeed`` (referencias por clave natural, fechas en UTC) o
lanza ``DatosInvalidos`` con TODOS los problemas, cada uno con su línea y su ruta
(``línea 39: usuarios[3].rol: 'PROFESOR' no es un rol válido (...)``). No toca la base.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path
from typing import Any, Iterable

from amauta_cli.errores import DatosInvalidos, NoEncontrado

#: Días hábiles de asistencia como máximo en un archivo (un ciclo lectivo largo).
MAX_DIAS_ASISTENCIA = 200

_AUSENTE: Any = object()  # un campo que el archivo no da (y que el seed no controla)
_MAL: Any = object()  # un campo con un problema ya anotado


# --- Archivo ----------------------------------------------------------------------------------
def ruta_por_defecto() -> Path:
    """``data/seed.yaml``: dentro del paquete instalado o en la raíz del repositorio."""
    import amauta_cli

    paquete = Path(amauta_cli.__file__).resolve().parent
    for candidato in (paquete / "data" / "seed.yaml", paquete.parent / "data" / "seed.yaml"):
        if candidato.is_file():
            return candidato
    raise NoEncontrado(  # pragma: no cover - instalación rota
        "No se encontró data/seed.yaml dentro de amauta; reinstale el paquete."
    )


def _leer_yaml(ruta: Path) -> tuple[Any, Any]:
    """(datos, nodo raíz): el nodo da el número de línea de cada problema."""
    import yaml

    if not ruta.is_file():
        raise NoEncontrado(f"No existe el archivo de datos {ruta}.")
    try:
        texto = ruta.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DatosInvalidos(f"El archivo {ruta} no está en UTF-8.") from None
    # El analizador en C de libyaml (viene en las ruedas de PyYAML) es 7 veces más rápido.
    cargador = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(texto)
    try:
        nodo = cargador.get_single_node()
        datos = cargador.construct_document(nodo) if nodo is not None else None
    except yaml.YAMLError as e:
        marca = getattr(e, "problem_mark", None)
        donde = f" (línea {marca.line + 1}, columna {marca.column + 1})" if marca else ""
        problema = getattr(e, "problem", None) or str(e)
        raise DatosInvalidos(f"El archivo {ruta} no es YAML válido{donde}: {problema}.") from None
    finally:
        cargador.dispose()
    return datos, nodo


# --- Datos validados -------------------------------------------------------------------------
@dataclass
class DatosSeed:
    """El archivo ya validado y normalizado. Las fechas ausentes no están en los dicts."""

    archivo: str
    usuarios: list[dict[str, Any]] = field(default_factory=list)
    categorias: list[dict[str, Any]] = field(default_factory=list)
    instituciones: list[dict[str, Any]] = field(default_factory=list)
    cursos: list[dict[str, Any]] = field(default_factory=list)
    lecciones: list[dict[str, Any]] = field(default_factory=list)
    inscripciones: list[dict[str, Any]] = field(default_factory=list)
    progresos: list[dict[str, Any]] = field(default_factory=list)
    grupos: list[dict[str, Any]] = field(default_factory=list)
    asistencias: list[dict[str, Any]] = field(default_factory=list)
    calificaciones: list[dict[str, Any]] = field(default_factory=list)
    comunicados: list[dict[str, Any]] = field(default_factory=list)

    @property
    def dias_asistencia(self) -> int:
        return max((len(a["dias"]) for a in self.asistencias), default=0)


def cargar(ruta: str | Path | None = None) -> DatosSeed:
    """Lee y valida el archivo entero; ``DatosInvalidos`` con TODOS los problemas si los hay."""
    ruta = Path(ruta).expanduser() if ruta else ruta_por_defecto()
    datos, nodo = _leer_yaml(ruta)
    v = _Validador(str(ruta), nodo)
    resultado = v.validar(datos)
    if v.problemas:
        n = len(v.problemas)
        raise DatosInvalidos(
            f"El archivo {ruta} tiene {n} {'problema' if n == 1 else 'problemas'}; "
            "no se escribió nada en la base:",
            v.problemas,
        )
    return resultado


def _ruta_texto(ruta: tuple) -> str:
    texto = ""
    for parte in ruta:
        texto += f"[{parte}]" if isinstance(parte, int) else (f".{parte}" if texto else parte)
    return texto or "(raíz)"


def _linea(nodo: Any, ruta: tuple) -> int | None:
    """La línea (desde 1) del nodo YAML en ``ruta``, o la del más profundo que exista."""
    import yaml

    actual = nodo
    for parte in ruta:
        siguiente = None
        if isinstance(actual, yaml.MappingNode):
            for k, valor in actual.value:
                if getattr(k, "value", None) == parte:
                    siguiente = valor
                    break
        elif isinstance(actual, yaml.SequenceNode) and isinstance(parte, int):
            if 0 <= parte < len(actual.value):
                siguiente = actual.value[parte]
        if siguiente is None:
            break
        actual = siguiente
    return actual.start_mark.line + 1 if actual is not None else None


# Nombre para los mensajes ("no es un rol válido") de cada enum del diseño.
_NOMBRES_ENUM = {
    "Rol": ("un", "rol", "válido"),
    "Nivel": ("un", "nivel", "válido"),
    "EstadoCurso": ("un", "estado de curso", "válido"),
    "TipoLeccion": ("un", "tipo de lección", "válido"),
    "EstadoInscripcion": ("un", "estado de inscripción", "válido"),
    "TipoInstitucion": ("un", "tipo de institución", "válido"),
    "EstadoAsistencia": ("un", "estado de asistencia", "válido"),
    "TipoComunicado": ("un", "tipo de comunicado", "válido"),
    "Prioridad": ("una", "prioridad", "válida"),
}
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SECCIONES = (
    "password",
    "usuarios",
    "categorias",
    "instituciones",
    "cursos",
    "inscripciones",
    "progresos",
    "grupos",
    "asistencias",
    "calificaciones",
    "comunicados",
)


def _utc_ms(d: datetime) -> datetime:
    if d.tzinfo is not None:
        d = d.astimezone(timezone.utc).replace(tzinfo=None)
    return d.replace(microsecond=(d.microsecond // 1000) * 1000)


class _Validador:
    """Recorre el YAML anotando cada problema con su ruta y su línea; nunca se detiene."""

    def __init__(self, archivo: str, nodo: Any):
        self.archivo = archivo
        self.nodo = nodo
        self.problemas: list[str] = []

    # -- Anotar ----------------------------------------------------------------------------
    def mal(self, ruta: tuple, mensaje: str) -> Any:
        linea = _linea(self.nodo, ruta) if self.nodo is not None else None
        prefijo = f"línea {linea}: " if linea else ""
        self.problemas.append(f"{prefijo}{_ruta_texto(ruta)}: {mensaje}")
        return _MAL

    # -- Formas ------------------------------------------------------------------------------
    def mapa(self, valor: Any, ruta: tuple, campos: Iterable[str]) -> dict | None:
        if not isinstance(valor, dict):
            self.mal(ruta, f"debe ser un mapa de campo: valor (se leyó {_describir(valor)})")
            return None
        validos = list(campos)
        for k in valor:
            if k not in validos:
                self.mal(
                    ruta + (k,) if isinstance(k, str) else ruta,
                    f"campo desconocido '{k}' (válidos: {', '.join(validos)})",
                )
        return valor

    def lista(self, valor: Any, ruta: tuple) -> list:
        if valor is None:
            return []
        if not isinstance(valor, list):
            self.mal(ruta, f"debe ser una lista (se leyó {_describir(valor)})")
            return []
        return valor

    def _valor(self, d: dict, ruta: tuple, campo: str, requerido: bool) -> Any:
        if campo not in d or d[campo] is None:
            if requerido:
                return self.mal(ruta, f"falta el campo obligatorio '{campo}'")
            return _AUSENTE if campo not in d else None
        return d[campo]

    def texto(self, d: dict, ruta: tuple, campo: str, requerido: bool = False) -> Any:
        v = self._valor(d, ruta, campo, requerido)
        if v is _MAL or v is _AUSENTE or v is None:
            return None if v is _AUSENTE else v
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            return self.mal(ruta + (campo,), f"debe ser texto (se leyó {_describir(v)})")
        v = str(v).strip()
        if requerido and not v:
            return self.mal(ruta + (campo,), "no puede estar vacío")
        return v or None

    def entero(
        self,
        d: dict,
        ruta: tuple,
        campo: str,
        defecto: Any = None,
        minimo: int | None = None,
        maximo: int | None = None,
        requerido: bool = False,
    ) -> Any:
        v = self._valor(d, ruta, campo, requerido)
        if v is _MAL:
            return v
        if v is _AUSENTE or v is None:
            return defecto
        if isinstance(v, bool) or not isinstance(v, int):
            return self.mal(ruta + (campo,), f"'{v}' no es un número entero")
        if (minimo is not None and v < minimo) or (maximo is not None and v > maximo):
            rango = (
                f"entre {minimo} y {maximo}" if maximo is not None else f"mayor o igual a {minimo}"
            )
            return self.mal(ruta + (campo,), f"{v} está fuera de rango (debe ser {rango})")
        return v

    def numero(
        self, d: dict, ruta: tuple, campo: str, defecto: Any = None, requerido: bool = False
    ) -> Any:
        from amauta_cli.parsing import parsear_decimal

        v = self._valor(d, ruta, campo, requerido)
        if v is _MAL:
            return v
        if v is _AUSENTE or v is None:
            return defecto
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            return self.mal(ruta + (campo,), f"'{v}' no es un número")
        try:
            n = parsear_decimal(v, campo)
        except DatosInvalidos:
            return self.mal(
                ruta + (campo,), f"'{v}' no es un número (ejemplos válidos: 8, 8.5 u 8,5)"
            )
        if not math.isfinite(n):
            return self.mal(ruta + (campo,), f"'{v}' no es un número")
        return n

    def booleano(self, d: dict, ruta: tuple, campo: str, defecto: bool) -> Any:
        v = self._valor(d, ruta, campo, False)
        if v is _AUSENTE or v is None:
            return defecto
        if not isinstance(v, bool):
            return self.mal(ruta + (campo,), f"'{v}' no es un valor sí/no (use true o false)")
        return v

    def fecha_hora(self, d: dict, ruta: tuple, campo: str, requerido: bool = False) -> Any:
        """datetime (UTC, ms), None si es null, ``_AUSENTE`` si no está."""
        v = self._valor(d, ruta, campo, requerido)
        if v is _MAL or v is _AUSENTE or v is None:
            return v
        return self.convertir_fecha(v, ruta + (campo,))

    def convertir_fecha(self, v: Any, ruta: tuple) -> Any:
        from amauta_cli.parsing import parsear_fecha

        if isinstance(v, datetime):
            return _utc_ms(v)
        if isinstance(v, date):
            return datetime(v.year, v.month, v.day)
        if isinstance(v, str):
            limpio = v.strip()
            try:
                return _utc_ms(datetime.fromisoformat(limpio.replace("Z", "+00:00")))
            except ValueError:
                pass
            if re.fullmatch(r"\d{1,4}[-/]\d{1,2}[-/]\d{1,4}", limpio):
                try:
                    dia = parsear_fecha(limpio, _ruta_texto(ruta))
                    return datetime(dia.year, dia.month, dia.day)
                except DatosInvalidos as e:
                    return self.mal(ruta, e.mensaje.split(": ", 1)[1])
        return self.mal(
            ruta,
            f"'{v}' no es una fecha válida (use AAAA-MM-DD HH:MM:SS en UTC, como "
            "2024-03-04 12:00:00, o solo AAAA-MM-DD)",
        )

    def enumerado(
        self,
        d: dict,
        ruta: tuple,
        campo: str,
        enum: type[StrEnum],
        defecto: Any = None,
        requerido: bool = False,
    ) -> Any:
        from amauta_cli.parsing import normalizar_clave

        v = self._valor(d, ruta, campo, requerido)
        if v is _MAL:
            return v
        if v is _AUSENTE or v is None:
            return defecto
        if isinstance(v, str):
            for m in enum:
                if normalizar_clave(m.value) == normalizar_clave(v):
                    return m.value
        articulo, nombre, valido = _NOMBRES_ENUM[enum.__name__]
        permitidos = ", ".join(m.value for m in enum)
        return self.mal(ruta + (campo,), f"'{v}' no es {articulo} {nombre} {valido} ({permitidos})")

    def lista_textos(self, d: dict, ruta: tuple, campo: str) -> Any:
        v = self._valor(d, ruta, campo, False)
        if v is _AUSENTE or v is None:
            return None
        if not isinstance(v, list) or not all(
            isinstance(x, (str, int, float)) and not isinstance(x, bool) for x in v
        ):
            return self.mal(
                ruta + (campo,), "debe ser una lista de textos, como [Álgebra, Geometría]"
            )
        return [str(x).strip() for x in v]

    def email(self, d: dict, ruta: tuple, campo: str, requerido: bool = False) -> Any:
        from amauta_cli.parsing import validar_email

        v = self.texto(d, ruta, campo, requerido)
        if v is _MAL or v is None:
            return v
        try:
            return validar_email(v, campo)
        except DatosInvalidos:
            return self.mal(ruta + (campo,), f"'{v}' no es un email válido")

    def ref_usuario(
        self,
        d: dict,
        ruta: tuple,
        campo: str,
        usuarios: dict[str, dict],
        *,
        rol_estudiante: bool | None = None,
    ) -> Any:
        """Un email que debe estar en ``usuarios:``; ``rol_estudiante`` exige (o prohíbe) ESTUDIANTE."""
        from amauta_cli.parsing import normalizar_email

        v = self.texto(d, ruta, campo, requerido=True)
        if v is _MAL:
            return v
        email = normalizar_email(v)
        u = usuarios.get(email)
        if u is None:
            return self.mal(ruta + (campo,), f"el email '{v}' no está en usuarios: del archivo")
        rol = u.get("rol")
        if rol_estudiante is True and rol not in (None, "ESTUDIANTE"):
            return self.mal(ruta + (campo,), f"'{v}' tiene rol {rol}; debe ser un ESTUDIANTE")
        if rol_estudiante is False and rol == "ESTUDIANTE":
            return self.mal(
                ruta + (campo,), f"'{v}' es ESTUDIANTE; debe ser un educador o administrador"
            )
        return email

    def unico(self, vistos: dict, clave: Any, ruta: tuple, descripcion: str) -> bool:
        if clave in vistos:
            self.mal(ruta, f"{descripcion} se repite (ya está en {_ruta_texto(vistos[clave])})")
            return False
        vistos[clave] = ruta
        return True

    # -- Documento ----------------------------------------------------------------------------
    def validar(self, datos: Any) -> DatosSeed:
        r = DatosSeed(self.archivo)
        if datos is None:
            self.mal((), "el archivo está vacío")
            return r
        if self.mapa(datos, (), _SECCIONES) is None:
            return r
        password = None
        if "password" in datos:
            password = self.password(datos, ())
        usuarios = self.usuarios(datos, password, r)
        categorias = self.categorias(datos, r)
        instituciones = self.instituciones(datos, r)
        lecciones = self.cursos(datos, usuarios, categorias, r)
        progresos = self.progresos(datos, usuarios, lecciones, r)
        self.inscripciones(datos, usuarios, lecciones, progresos, r)
        grupos = self.grupos(datos, usuarios, instituciones, r)
        self.asistencias(datos, usuarios, grupos, r)
        self.calificaciones(datos, usuarios, grupos, r)
        self.comunicados(datos, usuarios, instituciones, r)
        return r

    def password(self, d: dict, ruta: tuple) -> Any:
        from amauta_cli.seguridad import validar_password

        v = d.get("password")
        if not isinstance(v, str):
            return self.mal(ruta + ("password",), "debe ser texto (escríbala entre comillas)")
        try:
            return validar_password(v)
        except DatosInvalidos as e:
            return self.mal(ruta + ("password",), e.mensaje.replace("la contraseña ", "", 1))

    def usuarios(self, datos: dict, password: Any, r: DatosSeed) -> dict[str, dict]:
        porc: dict[str, dict] = {}
        vistos: dict = {}
        campos_perfil = (
            "bio",
            "telefono",
            "pais",
            "ciudad",
            "institucion",
            "matricula",
            "grado",
            "especialidad",
            "experiencia",
        )
        for i, u in enumerate(self.lista(datos.get("usuarios"), ("usuarios",))):
            ruta = ("usuarios", i)
            if (
                self.mapa(
                    u,
                    ruta,
                    (
                        "email",
                        "nombre",
                        "apellido",
                        "rol",
                        "password",
                        "avatar",
                        "activo",
                        "emailVerificado",
                        "createdAt",
                        "perfil",
                    ),
                )
                is None
            ):
                continue
            fila = {
                "email": self.email(u, ruta, "email", requerido=True),
                "nombre": self.texto(u, ruta, "nombre", requerido=True),
                "apellido": self.texto(u, ruta, "apellido", requerido=True),
                "rol": self.enumerado(u, ruta, "rol", _enums().Rol, defecto="ESTUDIANTE"),
                "avatar": self.texto(u, ruta, "avatar"),
                "activo": self.booleano(u, ruta, "activo", True),
            }
            pw = self.password(u, ruta) if "password" in u else password
            if pw is None:
                self.mal(
                    ruta,
                    "falta la contraseña: dé 'password' al principio del archivo o en el usuario",
                )
            fila["password"] = pw
            creado = self.fecha_hora(u, ruta, "createdAt")
            if creado is not _AUSENTE:
                fila["createdAt"] = creado
            verificado = self.fecha_hora(u, ruta, "emailVerificado")
            if verificado is not _AUSENTE:
                fila["emailVerificado"] = verificado
            elif creado is not _AUSENTE:
                fila["emailVerificado"] = creado
            perfil: dict[str, Any] = {c: None for c in campos_perfil}
            p = u.get("perfil")
            rp = ruta + ("perfil",)
            if p is not None and self.mapa(p, rp, campos_perfil) is not None:
                for c in ("bio", "telefono", "pais", "ciudad", "institucion", "matricula", "grado"):
                    perfil[c] = self.texto(p, rp, c)
                perfil["especialidad"] = self.lista_textos(p, rp, "especialidad")
                perfil["experiencia"] = self.entero(p, rp, "experiencia", minimo=0, maximo=80)
            if creado is not _AUSENTE:
                perfil["createdAt"] = creado
            fila["perfil"] = perfil
            if isinstance(fila["email"], str) and self.unico(
                vistos, fila["email"], ruta + ("email",), f"email '{fila['email']}'"
            ):
                porc[fila["email"]] = fila
            r.usuarios.append(fila)
        return porc

    def categorias(self, datos: dict, r: DatosSeed) -> set[str]:
        slugs: dict = {}
        nombres: dict = {}
        for i, c in enumerate(self.lista(datos.get("categorias"), ("categorias",))):
            ruta = ("categorias", i)
            if self.mapa(c, ruta, ("nombre", "slug", "descripcion", "icono", "createdAt")) is None:
                continue
            fila = {
                "nombre": self.texto(c, ruta, "nombre", requerido=True),
                "slug": self.slug(c, ruta),
                "descripcion": self.texto(c, ruta, "descripcion"),
                "icono": self.texto(c, ruta, "icono"),
            }
            self.fecha_opcional(c, ruta, "createdAt", fila)
            if isinstance(fila["nombre"], str):
                self.unico(
                    nombres, fila["nombre"], ruta + ("nombre",), f"nombre '{fila['nombre']}'"
                )
            if isinstance(fila["slug"], str):
                self.unico(slugs, fila["slug"], ruta + ("slug",), f"slug '{fila['slug']}'")
            r.categorias.append(fila)
        return set(slugs)

    def slug(self, d: dict, ruta: tuple) -> Any:
        v = self.texto(d, ruta, "slug", requerido=True)
        if isinstance(v, str) and not _SLUG.fullmatch(v):
            return self.mal(
                ruta + ("slug",),
                f"'{v}' no es un slug válido (minúsculas sin acentos, números y guiones, como algebra-basica)",
            )
        return v

    def fecha_opcional(self, d: dict, ruta: tuple, campo: str, fila: dict) -> Any:
        v = self.fecha_hora(d, ruta, campo)
        if v is not _AUSENTE:
            fila[campo] = v
        return v

    def instituciones(self, datos: dict, r: DatosSeed) -> set[str]:
        vistas: dict = {}
        for i, c in enumerate(self.lista(datos.get("instituciones"), ("instituciones",))):
            ruta = ("instituciones", i)
            if (
                self.mapa(
                    c,
                    ruta,
                    ("nombre", "tipo", "direccion", "telefono", "email", "activa", "createdAt"),
                )
                is None
            ):
                continue
            fila = {
                "nombre": self.texto(c, ruta, "nombre", requerido=True),
                "tipo": self.enumerado(c, ruta, "tipo", _enums().TipoInstitucion, requerido=True),
                "direccion": self.texto(c, ruta, "direccion"),
                "telefono": self.texto(c, ruta, "telefono"),
                "email": self.email(c, ruta, "email"),
                "activa": self.booleano(c, ruta, "activa", True),
            }
            self.fecha_opcional(c, ruta, "createdAt", fila)
            if isinstance(fila["nombre"], str):
                self.unico(vistas, fila["nombre"], ruta + ("nombre",), f"nombre '{fila['nombre']}'")
            r.instituciones.append(fila)
        return set(vistas)

    def cursos(self, datos: dict, usuarios: dict, categorias: set[str], r: DatosSeed) -> dict:
        """Devuelve {(slug, orden): leccion} y {slug: [ordenes]} en ``lecciones['_por_curso']``."""
        e = _enums()
        slugs: dict = {}
        lecciones: dict[Any, Any] = {"_por_curso": {}}
        for i, c in enumerate(self.lista(datos.get("cursos"), ("cursos",))):
            ruta = ("cursos", i)
            if (
                self.mapa(
                    c,
                    ruta,
                    (
                        "titulo",
                        "slug",
                        "descripcion",
                        "educador",
                        "categoria",
                        "nivel",
                        "estado",
                        "imagen",
                        "duracion",
                        "idioma",
                        "publicadoEn",
                        "createdAt",
                        "lecciones",
                    ),
                )
                is None
            ):
                continue
            fila = {
                "titulo": self.texto(c, ruta, "titulo", requerido=True),
                "slug": self.slug(c, ruta),
                "descripcion": self.texto(c, ruta, "descripcion", requerido=True),
                "educador": self.ref_usuario(c, ruta, "educador", usuarios, rol_estudiante=False),
                "categoria": self.texto(c, ruta, "categoria", requerido=True),
                "nivel": self.enumerado(c, ruta, "nivel", e.Nivel, requerido=True),
                "estado": self.enumerado(c, ruta, "estado", e.EstadoCurso, defecto="BORRADOR"),
                "imagen": self.texto(c, ruta, "imagen"),
                "duracion": self.entero(c, ruta, "duracion", minimo=1, maximo=100_000),
                "idioma": self.texto(c, ruta, "idioma") or "es",
            }
            if isinstance(fila["categoria"], str) and fila["categoria"] not in categorias:
                fila["categoria"] = self.mal(
                    ruta + ("categoria",),
                    f"la categoría '{fila['categoria']}' no está en categorias: del archivo",
                )
            creado = self.fecha_opcional(c, ruta, "createdAt", fila)
            publicado = self.fecha_hora(c, ruta, "publicadoEn")
            if fila["estado"] == "PUBLICADO":
                if publicado not in (_AUSENTE, None):
                    fila["publicadoEn"] = publicado
                elif creado is not _AUSENTE:
                    fila["publicadoEn"] = creado
            elif publicado not in (_AUSENTE, None):
                self.mal(
                    ruta + ("publicadoEn",),
                    f"solo los cursos PUBLICADO tienen publicadoEn (este está {fila['estado']})",
                )
            else:
                fila["publicadoEn"] = None
            slug = fila["slug"] if isinstance(fila["slug"], str) else None
            if slug is not None and not self.unico(slugs, slug, ruta + ("slug",), f"slug '{slug}'"):
                slug = None
            r.cursos.append(fila)
            ordenes: dict = {}
            for j, lec in enumerate(self.lista(c.get("lecciones"), ruta + ("lecciones",))):
                rl = ruta + ("lecciones", j)
                if (
                    self.mapa(
                        lec,
                        rl,
                        (
                            "orden",
                            "titulo",
                            "descripcion",
                            "tipo",
                            "duracion",
                            "contenido",
                            "publicada",
                            "createdAt",
                        ),
                    )
                    is None
                ):
                    continue
                fl = {
                    "curso": slug,
                    "orden": self.entero(lec, rl, "orden", minimo=1, maximo=10_000, requerido=True),
                    "titulo": self.texto(lec, rl, "titulo", requerido=True),
                    "descripcion": self.texto(lec, rl, "descripcion"),
                    "tipo": self.enumerado(lec, rl, "tipo", e.TipoLeccion, requerido=True),
                    "duracion": self.entero(lec, rl, "duracion", minimo=1, maximo=10_000),
                    "publicada": self.booleano(lec, rl, "publicada", False),
                }
                fl["contenido"] = self.contenido(lec, rl, fl["tipo"])
                lcreado = self.fecha_hora(lec, rl, "createdAt")
                if lcreado is not _AUSENTE:
                    fl["createdAt"] = lcreado
                elif isinstance(creado, datetime) and isinstance(fl["orden"], int):
                    fl["createdAt"] = creado + timedelta(hours=fl["orden"])
                if isinstance(fl["orden"], int) and self.unico(
                    ordenes, fl["orden"], rl + ("orden",), f"orden {fl['orden']}"
                ):
                    if slug is not None:
                        lecciones[(slug, fl["orden"])] = fl
                r.lecciones.append(fl)
            if slug is not None:
                lecciones["_por_curso"][slug] = sorted(ordenes)
        return lecciones

    def contenido(self, lec: dict, ruta: tuple, tipo: Any) -> Any:
        v = lec.get("contenido")
        rc = ruta + ("contenido",)
        if v is None:
            return self.mal(ruta, "falta el campo obligatorio 'contenido'")
        if not isinstance(v, dict):
            return self.mal(
                rc, f"debe ser un mapa con los datos de la lección (se leyó {_describir(v)})"
            )
        try:
            json.dumps(v, default=_no_serializable)
        except TypeError as e:
            return self.mal(rc, str(e))
        requeridos = {
            "VIDEO": ("url", "duracionSegundos"),
            "TEXTO": ("cuerpo",),
            "QUIZ": ("preguntas",),
            "INTERACTIVO": ("url",),
            "DESCARGABLE": ("url",),
        }.get(tipo if isinstance(tipo, str) else "", ())
        for campo in requeridos:
            if v.get(campo) in (None, "", []):
                self.mal(rc, f"una lección {tipo} necesita '{campo}' en su contenido")
        if tipo == "VIDEO" and "duracionSegundos" in v:
            self.entero(v, rc, "duracionSegundos", minimo=1, maximo=1_000_000)
        if tipo == "QUIZ" and isinstance(v.get("preguntas"), list):
            for k, p in enumerate(v["preguntas"]):
                rq = rc + ("preguntas", k)
                if not isinstance(p, dict):
                    self.mal(rq, "cada pregunta debe ser un mapa {enunciado, opciones, respuesta}")
                    continue
                self.texto(p, rq, "enunciado", requerido=True)
                opciones = p.get("opciones")
                if not isinstance(opciones, list) or len(opciones) < 2:
                    self.mal(rq, "'opciones' debe ser una lista de al menos 2 opciones")
                    continue
                self.entero(p, rq, "respuesta", minimo=0, maximo=len(opciones) - 1, requerido=True)
        return v

    def inscripciones(
        self, datos: dict, usuarios: dict, lecciones: dict, progresos: dict, r: DatosSeed
    ) -> None:
        e = _enums()
        vistas: dict = {}
        por_curso = lecciones["_por_curso"]
        inscriptos = set()
        for i, c in enumerate(self.lista(datos.get("inscripciones"), ("inscripciones",))):
            ruta = ("inscripciones", i)
            if (
                self.mapa(
                    c,
                    ruta,
                    ("usuario", "curso", "estado", "progreso", "inscritoEn", "completadoEn"),
                )
                is None
            ):
                continue
            fila = {
                "usuario": self.ref_usuario(c, ruta, "usuario", usuarios),
                "curso": self.texto(c, ruta, "curso", requerido=True),
                "estado": self.enumerado(c, ruta, "estado", e.EstadoInscripcion, defecto="ACTIVO"),
            }
            if isinstance(fila["curso"], str) and fila["curso"] not in por_curso:
                fila["curso"] = self.mal(
                    ruta + ("curso",), f"el curso '{fila['curso']}' no está en cursos: del archivo"
                )
            self.fecha_opcional(c, ruta, "inscritoEn", fila)
            completado = self.fecha_hora(c, ruta, "completadoEn")
            dado = self.entero(c, ruta, "progreso", minimo=0, maximo=100)
            r.inscripciones.append(fila)
            if not (isinstance(fila["usuario"], str) and isinstance(fila["curso"], str)):
                continue
            clave = (fila["usuario"], fila["curso"])
            self.unico(vistas, clave, ruta, f"inscripción de '{clave[0]}' en '{clave[1]}'")
            inscriptos.add(clave)
            total = len(por_curso[fila["curso"]])
            hechas = [
                p for (u, cu, _o), p in progresos.items() if (u, cu) == clave and p["completado"]
            ]
            calculado = (100 * len(hechas)) // total if total else 0
            if dado is not None and dado is not _MAL and dado != calculado:
                self.mal(
                    ruta + ("progreso",),
                    f"{dado} no coincide con las lecciones completadas ({len(hechas)} de {total} = {calculado}%)",
                )
            fila["progreso"] = calculado
            if fila["estado"] == "COMPLETADO":
                if calculado != 100:
                    self.mal(
                        ruta + ("estado",),
                        f"COMPLETADO exige todas las lecciones completadas (hay {len(hechas)} de {total})",
                    )
                if completado not in (_AUSENTE, None):
                    fila["completadoEn"] = completado
                elif hechas and all(isinstance(p.get("completadoEn"), datetime) for p in hechas):
                    fila["completadoEn"] = max(p["completadoEn"] for p in hechas)
            elif completado not in (_AUSENTE, None):
                self.mal(
                    ruta + ("completadoEn",),
                    f"solo las inscripciones COMPLETADO tienen completadoEn (esta está {fila['estado']})",
                )
            else:
                fila["completadoEn"] = None
        # Un progreso sin inscripción en su curso.
        for (u, cu, _o), p in progresos.items():
            if (u, cu) not in inscriptos:
                self.mal(
                    p["_ruta"],
                    f"'{u}' no está inscripto en el curso '{cu}' (falta en inscripciones:)",
                )

    def progresos(self, datos: dict, usuarios: dict, lecciones: dict, r: DatosSeed) -> dict:
        vistos: dict = {}
        resultado: dict = {}
        por_curso = lecciones["_por_curso"]
        for i, c in enumerate(self.lista(datos.get("progresos"), ("progresos",))):
            ruta = ("progresos", i)
            if (
                self.mapa(
                    c,
                    ruta,
                    (
                        "usuario",
                        "curso",
                        "leccion",
                        "completado",
                        "porcentaje",
                        "ultimoAcceso",
                        "completadoEn",
                        "intentos",
                        "mejorPuntaje",
                        "createdAt",
                    ),
                )
                is None
            ):
                continue
            fila: dict[str, Any] = {
                "usuario": self.ref_usuario(c, ruta, "usuario", usuarios),
                "curso": self.texto(c, ruta, "curso", requerido=True),
                "leccion": self.entero(c, ruta, "leccion", minimo=1, requerido=True),
                "completado": self.booleano(c, ruta, "completado", False),
                "intentos": self.entero(c, ruta, "intentos", defecto=0, minimo=0, maximo=1000),
                "mejorPuntaje": self.numero(c, ruta, "mejorPuntaje"),
            }
            if isinstance(fila["mejorPuntaje"], float) and not 0 <= fila["mejorPuntaje"] <= 100:
                self.mal(
                    ruta + ("mejorPuntaje",),
                    f"{fila['mejorPuntaje']:g} está fuera de rango (debe ser entre 0 y 100)",
                )
            if isinstance(fila["curso"], str) and fila["curso"] not in por_curso:
                fila["curso"] = self.mal(
                    ruta + ("curso",), f"el curso '{fila['curso']}' no está en cursos: del archivo"
                )
            elif isinstance(fila["curso"], str) and isinstance(fila["leccion"], int):
                if fila["leccion"] not in por_curso[fila["curso"]]:
                    fila["leccion"] = self.mal(
                        ruta + ("leccion",),
                        f"el curso '{fila['curso']}' no tiene una lección de orden {fila['leccion']} "
                        f"(tiene: {', '.join(map(str, por_curso[fila['curso']])) or 'ninguna'})",
                    )
            porcentaje = self.entero(c, ruta, "porcentaje", minimo=0, maximo=100)
            completado_en = self.fecha_hora(c, ruta, "completadoEn")
            if fila["completado"] is True:
                if porcentaje not in (None, 100, _MAL):
                    self.mal(
                        ruta + ("porcentaje",),
                        f"una lección completada tiene porcentaje 100, no {porcentaje}",
                    )
                fila["porcentaje"] = 100
                if completado_en is not _AUSENTE:
                    fila["completadoEn"] = completado_en
            else:
                if porcentaje == 100:
                    self.mal(
                        ruta + ("porcentaje",),
                        "porcentaje 100 es una lección completada: agregue completado: true",
                    )
                fila["porcentaje"] = porcentaje if porcentaje is not None else 0
                if completado_en not in (_AUSENTE, None):
                    self.mal(
                        ruta + ("completadoEn",),
                        "solo las lecciones completadas tienen completadoEn",
                    )
                fila["completadoEn"] = None
            referencia = completado_en if isinstance(completado_en, datetime) else _AUSENTE
            for campo in ("ultimoAcceso", "createdAt"):
                v = self.fecha_hora(c, ruta, campo)
                if v is not _AUSENTE:
                    fila[campo] = v
                elif referencia is not _AUSENTE:
                    fila[campo] = referencia
            r.progresos.append(fila)
            if all(
                isinstance(fila[k], (str, int)) and fila[k] is not _MAL
                for k in ("usuario", "curso", "leccion")
            ):
                clave = (fila["usuario"], fila["curso"], fila["leccion"])
                if self.unico(
                    vistos,
                    clave,
                    ruta,
                    f"progreso de '{clave[0]}' en '{clave[1]}' lección {clave[2]}",
                ):
                    resultado[clave] = dict(fila, _ruta=ruta)
        return resultado

    def grupos(self, datos: dict, usuarios: dict, instituciones: set[str], r: DatosSeed) -> dict:
        """{(institucion, nombre): set(estudiantes)}"""
        vistos: dict = {}
        resultado: dict = {}
        for i, c in enumerate(self.lista(datos.get("grupos"), ("grupos",))):
            ruta = ("grupos", i)
            if (
                self.mapa(
                    c,
                    ruta,
                    (
                        "nombre",
                        "grado",
                        "seccion",
                        "institucion",
                        "educador",
                        "activo",
                        "createdAt",
                        "estudiantes",
                    ),
                )
                is None
            ):
                continue
            fila = {
                "nombre": self.texto(c, ruta, "nombre", requerido=True),
                "grado": self.texto(c, ruta, "grado"),
                "seccion": self.texto(c, ruta, "seccion"),
                "institucion": self.texto(c, ruta, "institucion", requerido=True),
                "educador": self.ref_usuario(c, ruta, "educador", usuarios, rol_estudiante=False),
                "activo": self.booleano(c, ruta, "activo", True),
            }
            if isinstance(fila["institucion"], str) and fila["institucion"] not in instituciones:
                fila["institucion"] = self.mal(
                    ruta + ("institucion",),
                    f"la institución '{fila['institucion']}' no está en instituciones: del archivo",
                )
            self.fecha_opcional(c, ruta, "createdAt", fila)
            estudiantes: list[str] = []
            re_ = ruta + ("estudiantes",)
            for k, _ in enumerate(self.lista(c.get("estudiantes"), re_)):
                email = self._ref_en_lista(c["estudiantes"], re_, k, usuarios)
                if isinstance(email, str):
                    if email in estudiantes:
                        self.mal(re_ + (k,), f"'{email}' está repetido en el grupo")
                    else:
                        estudiantes.append(email)
            fila["estudiantes"] = estudiantes
            r.grupos.append(fila)
            if isinstance(fila["nombre"], str) and isinstance(fila["institucion"], str):
                clave = (fila["institucion"], fila["nombre"])
                if self.unico(
                    vistos,
                    clave,
                    ruta + ("nombre",),
                    f"grupo '{fila['nombre']}' de '{fila['institucion']}'",
                ):
                    resultado[clave] = set(estudiantes)
        return resultado

    def _ref_en_lista(self, lista: list, ruta: tuple, k: int, usuarios: dict) -> Any:
        from amauta_cli.parsing import normalizar_email

        v = lista[k]
        if not isinstance(v, str) or not v.strip():
            return self.mal(ruta + (k,), "debe ser el email de un estudiante")
        email = normalizar_email(v)
        u = usuarios.get(email)
        if u is None:
            return self.mal(ruta + (k,), f"el email '{v}' no está en usuarios: del archivo")
        if u.get("rol") not in (None, "ESTUDIANTE"):
            return self.mal(
                ruta + (k,), f"'{v}' tiene rol {u['rol']}; un grupo solo tiene estudiantes"
            )
        return email

    def ref_grupo(self, c: dict, ruta: tuple, grupos: dict) -> Any:
        nombre = self.texto(c, ruta, "grupo", requerido=True)
        institucion = self.texto(c, ruta, "institucion")
        if not isinstance(nombre, str) or institucion is _MAL:
            return _MAL
        candidatos = [
            k for k in grupos if k[1] == nombre and (institucion is None or k[0] == institucion)
        ]
        if not candidatos:
            return self.mal(
                ruta + ("grupo",), f"el grupo '{nombre}' no está en grupos: del archivo"
            )
        if len(candidatos) > 1:
            return self.mal(
                ruta + ("grupo",), f"hay varios grupos '{nombre}': indique también 'institucion'"
            )
        return candidatos[0]

    def miembro(self, c: dict, ruta: tuple, grupo: Any, usuarios: dict, grupos: dict) -> Any:
        email = self.ref_usuario(c, ruta, "estudiante", usuarios, rol_estudiante=True)
        if isinstance(email, str) and isinstance(grupo, tuple) and email not in grupos[grupo]:
            return self.mal(
                ruta + ("estudiante",), f"'{email}' no es estudiante del grupo '{grupo[1]}'"
            )
        return email

    def asistencias(self, datos: dict, usuarios: dict, grupos: dict, r: DatosSeed) -> None:
        e = _enums()
        vistos: dict = {}
        for i, c in enumerate(self.lista(datos.get("asistencias"), ("asistencias",))):
            ruta = ("asistencias", i)
            if self.mapa(c, ruta, ("grupo", "institucion", "estudiante", "dias")) is None:
                continue
            grupo = self.ref_grupo(c, ruta, grupos)
            estudiante = self.miembro(c, ruta, grupo, usuarios, grupos)
            dias = []
            rd = ruta + ("dias",)
            lista = self.lista(c.get("dias"), rd)
            if not lista:
                self.mal(
                    ruta,
                    "falta 'dias': la lista de estados, del día hábil más antiguo al más reciente",
                )
            elif len(lista) > MAX_DIAS_ASISTENCIA:
                self.mal(rd, f"tiene {len(lista)} días; el máximo es {MAX_DIAS_ASISTENCIA}")
            for k, dia in enumerate(lista):
                rk = rd + (k,)
                if isinstance(dia, dict):
                    if self.mapa(dia, rk, ("estado", "observaciones")) is None:
                        continue
                    estado = self.enumerado(dia, rk, "estado", e.EstadoAsistencia, requerido=True)
                    obs = self.texto(dia, rk, "observaciones")
                else:
                    estado = self.enumerado({k: dia}, rd, k, e.EstadoAsistencia, requerido=True)
                    obs = None
                dias.append({"estado": estado, "observaciones": obs})
            if isinstance(grupo, tuple) and isinstance(estudiante, str):
                self.unico(
                    vistos,
                    (grupo, estudiante),
                    ruta,
                    f"asistencia de '{estudiante}' en '{grupo[1]}'",
                )
            r.asistencias.append({"grupo": grupo, "estudiante": estudiante, "dias": dias})

    def calificaciones(self, datos: dict, usuarios: dict, grupos: dict, r: DatosSeed) -> None:
        vistas: dict = {}
        for i, c in enumerate(self.lista(datos.get("calificaciones"), ("calificaciones",))):
            ruta = ("calificaciones", i)
            if (
                self.mapa(
                    c,
                    ruta,
                    (
                        "grupo",
                        "institucion",
                        "estudiante",
                        "materia",
                        "periodo",
                        "nota",
                        "notaMaxima",
                        "observaciones",
                        "createdAt",
                    ),
                )
                is None
            ):
                continue
            grupo = self.ref_grupo(c, ruta, grupos)
            fila = {
                "grupo": grupo,
                "estudiante": self.miembro(c, ruta, grupo, usuarios, grupos),
                "materia": self.texto(c, ruta, "materia", requerido=True),
                "periodo": self.texto(c, ruta, "periodo", requerido=True),
                "nota": self.numero(c, ruta, "nota", requerido=True),
                "notaMaxima": self.numero(c, ruta, "notaMaxima", defecto=10.0),
                "observaciones": self.texto(c, ruta, "observaciones"),
            }
            maxima = fila["notaMaxima"]
            if isinstance(maxima, float) and maxima <= 0:
                self.mal(ruta + ("notaMaxima",), f"{maxima:g} debe ser mayor que 0")
            elif (
                isinstance(maxima, float)
                and isinstance(fila["nota"], float)
                and not 0 <= fila["nota"] <= maxima
            ):
                self.mal(
                    ruta + ("nota",),
                    f"{fila['nota']:g} está fuera de rango (debe ser entre 0 y {maxima:g})",
                )
            self.fecha_opcional(c, ruta, "createdAt", fila)
            if all(
                isinstance(fila[k], (str, tuple))
                for k in ("grupo", "estudiante", "materia", "periodo")
            ):
                clave = (fila["grupo"], fila["estudiante"], fila["materia"], fila["periodo"])
                self.unico(
                    vistas, clave, ruta, f"calificación de '{clave[1]}' en {clave[2]}, {clave[3]}"
                )
            r.calificaciones.append(fila)

    def comunicados(
        self, datos: dict, usuarios: dict, instituciones: set[str], r: DatosSeed
    ) -> None:
        e = _enums()
        vistos: dict = {}
        for i, c in enumerate(self.lista(datos.get("comunicados"), ("comunicados",))):
            ruta = ("comunicados", i)
            if (
                self.mapa(
                    c,
                    ruta,
                    (
                        "institucion",
                        "autor",
                        "titulo",
                        "contenido",
                        "tipo",
                        "prioridad",
                        "publicadoEn",
                        "createdAt",
                    ),
                )
                is None
            ):
                continue
            fila = {
                "institucion": self.texto(c, ruta, "institucion", requerido=True),
                "autor": self.ref_usuario(c, ruta, "autor", usuarios, rol_estudiante=False),
                "titulo": self.texto(c, ruta, "titulo", requerido=True),
                "contenido": self.texto(c, ruta, "contenido", requerido=True),
                "tipo": self.enumerado(c, ruta, "tipo", e.TipoComunicado, requerido=True),
                "prioridad": self.enumerado(c, ruta, "prioridad", e.Prioridad, defecto="NORMAL"),
            }
            if isinstance(fila["institucion"], str) and fila["institucion"] not in instituciones:
                fila["institucion"] = self.mal(
                    ruta + ("institucion",),
                    f"la institución '{fila['institucion']}' no está en instituciones: del archivo",
                )
            publicado = self.fecha_hora(c, ruta, "publicadoEn")
            creado = self.fecha_hora(c, ruta, "createdAt")
            publicado = creado if publicado in (_AUSENTE, None) else publicado
            creado = publicado if creado in (_AUSENTE, None) else creado
            if publicado not in (_AUSENTE, None):
                fila["publicadoEn"] = publicado
            if creado not in (_AUSENTE, None):
                fila["createdAt"] = creado
            if isinstance(fila["institucion"], str) and isinstance(fila["titulo"], str):
                self.unico(
                    vistos,
                    (fila["institucion"], fila["titulo"]),
                    ruta + ("titulo",),
                    f"comunicado '{fila['titulo']}'",
                )
            r.comunicados.append(fila)


def _describir(v: Any) -> str:
    if v is None:
        return "nada"
    if isinstance(v, bool):
        return "un sí/no"
    if isinstance(v, (int, float)):
        return f"el número {v}"
    if isinstance(v, str):
        return f"el texto '{v}'"
    if isinstance(v, list):
        return "una lista"
    if isinstance(v, dict):
        return "un mapa"
    return type(v).__name__


def _no_serializable(v: Any) -> Any:
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    raise TypeError(f"el valor {v!r} no se puede guardar en JSON")


def _enums():
    from amauta_cli import models

    return models
