"""Piezas compartidas por todos los grupos de comandos: contexto, formatos y confirmaciones.

Este módulo se importa al arrancar (``amauta --help``): nada de SQLAlchemy,
Alembic ni bcrypt a nivel de módulo.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, Iterator, NoReturn, Optional

import typer

from amauta_cli.errores import AmautaError, OperacionRechazada

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

    from amauta_cli.db import Cruda
    from amauta_cli.objetivo import Objetivo
    from amauta_cli.services.accesos import Alcance


from amauta_cli.salida import Formato, OpcionFormato  # noqa: E402,F401 - el hogar es salida


def error_uso(mensaje: str) -> "NoReturn":
    """El único modo de señalar un error de uso: mensaje en español, la línea de uso y la
    pista de ayuda del comando en curso, y código de salida 2."""
    from typer._click.exceptions import UsageError
    from typer._click.globals import get_current_context

    raise UsageError(mensaje, get_current_context(silent=True))

#: ``--grupo``: un grupo por su nombre (sin mayúsculas ni acentos) o su id.
OpcionGrupo = Annotated[
    str,
    typer.Option(
        "--grupo", "-g", help='Grupo: nombre (p. ej. "4to Grado A", sin importar mayúsculas ni acentos) o id.'
    ),
]
OpcionGrupoOpcional = Annotated[
    Optional[str],
    typer.Option(
        "--grupo",
        "-g",
        help='Grupo: nombre (p. ej. "4to Grado A", sin importar mayúsculas ni acentos) o id.',
        show_default=False,
    ),
]
#: ``--institucion``: desambigua grupos de igual nombre en distintas instituciones.
OpcionInstitucion = Annotated[
    Optional[str],
    typer.Option(
        "--institucion",
        "-i",
        help="Institución (nombre o id), si el nombre del grupo se repite en varias.",
        show_default=False,
    ),
]
OpcionSi = Annotated[
    bool, typer.Option("--si", "-s", help="Confirma sin preguntar (para scripts).")
]
#: ``--incluir-archivo``: los reportes cuentan también lo movido con ``amauta db archivar``.
OpcionIncluirArchivo = Annotated[
    bool,
    typer.Option(
        "--incluir-archivo",
        help="Cuenta también lo archivado con `amauta db archivar` (años pasados).",
    ),
]


def avisar_archivado(cantidad: int, singular: str, plural: str, sujeto: str = "El período pedido") -> None:
    """Aviso de un reporte sin ``--incluir-archivo`` cuyo período tiene filas archivadas."""
    if not cantidad:
        return
    from amauta_cli import salida, textos

    salida.aviso(
        f"{sujeto} tiene {textos.plural(cantidad, singular, plural)} en el archivo (amauta db "
        "archivar) que este reporte no cuenta; agregue --incluir-archivo para incluir el archivo."
    )


class Contexto:
    """Lo que la opción global ``--db-url`` deja a los comandos: la base objetivo.

    El objetivo se resuelve y valida una sola vez, cuando un comando lo pide por primera vez
    (así ``amauta COMANDO --help`` funciona aunque la URL configurada esté mal), y desde ahí
    es un valor congelado que se pasa a los servicios.
    """

    def __init__(self, db_url_opcion: str | None = None) -> None:
        self.db_url_opcion = db_url_opcion
        self._objetivo: "Objetivo | None" = None

    @property
    def objetivo(self) -> "Objetivo":
        if self._objetivo is None:
            from amauta_cli.objetivo import resolver

            self._objetivo = resolver(self.db_url_opcion)
        return self._objetivo

    def objetivo_si_valido(self) -> "Objetivo | None":
        """El objetivo, o None si la URL no es válida (para los mensajes de error)."""
        from amauta_cli.errores import AmautaError

        try:
            return self.objetivo
        except AmautaError:
            return None

    def enmascarar(self, texto: str) -> str:
        """``texto`` sin la contraseña de la URL de la base."""
        objetivo = self.objetivo_si_valido()
        if objetivo is not None:
            return objetivo.enmascarar(texto)
        from amauta_cli.objetivo import enmascarar_en_texto

        return enmascarar_en_texto(texto)

    @property
    def origen(self) -> "Objetivo":
        return self.objetivo

    @property
    def url(self) -> str:
        return self.objetivo.url

    @property
    def url_herramientas(self) -> str:
        """La URL para pg_dump/pg_restore/psql: la directa al servidor (``AMAUTA_DIRECT_URL`` o
        ``DIRECT_URL``, como el ``directUrl`` de Prisma) si amauta pasa por PgBouncer."""
        from amauta_cli.db import intermediario, url_directa

        directa = url_directa(self.objetivo)
        if directa.url == self.url and (puertos := intermediario(self.objetivo)) is not None:
            from amauta_cli import salida

            salida.aviso(
                f"La URL de amauta llega al servidor por otro proceso (puerto {puertos[0]}; el "
                f"servidor escucha en el {puertos[1]}): si es PgBouncer en modo transacción, "
                "pg_dump y pg_restore dejan parámetros de sesión (search_path) en conexiones del "
                "pool que usa la aplicación. Defina AMAUTA_DIRECT_URL (o DIRECT_URL, como el "
                "directUrl de Prisma) con la URL directa al servidor."
            )
        return directa.url

    @property
    def url_enmascarada(self) -> str:
        return self.objetivo.url_enmascarada

    @contextmanager
    def sesion(self, solo_lectura: bool = False, exigir_esquema: bool = True) -> Iterator["Session"]:
        """Una unidad de trabajo (una transacción) sobre una base con el esquema al día."""
        from amauta_cli.db import transaccion

        with _anotar_cambios(not solo_lectura) as anotar:
            with transaccion(self.objetivo, solo_lectura=solo_lectura) as s:
                anotar(s)
                if exigir_esquema:
                    from amauta_cli.services.esquema import exigir_al_dia

                    exigir_al_dia(s.connection())
                yield s

    @contextmanager
    def cruda(self, solo_lectura: bool = False, exigir_esquema: bool = True) -> Iterator["Cruda"]:
        """Una transacción con el driver a secas (sin SQLAlchemy): la de los comandos de todos
        los días, que así arrancan en la mitad del tiempo (ver ``db.Cruda``)."""
        from amauta_cli.db import conexion_cruda

        with _anotar_cambios(not solo_lectura):
            with conexion_cruda(self.objetivo, solo_lectura=solo_lectura) as c:
                if exigir_esquema:
                    from amauta_cli.services.esquema import exigir_al_dia

                    exigir_al_dia(c)
                yield c

    @contextmanager
    def conexion(self, solo_lectura: bool = False, exigir_esquema: bool = True) -> Iterator["Connection"]:
        from amauta_cli.db import conexion

        with conexion(self.objetivo, solo_lectura=solo_lectura) as con:
            if exigir_esquema:
                from amauta_cli.services.esquema import exigir_al_dia

                exigir_al_dia(con)
            yield con

    def alcance(self) -> "Alcance | None":
        """Con credenciales de una escuela, su rol y su institución; None si la conexión no
        está limitada (administración de la plataforma, o SQLite). Una consulta, una vez."""
        if not hasattr(self, "_alcance"):
            from amauta_cli.services.accesos import alcance

            with self.cruda(solo_lectura=True, exigir_esquema=False) as c:
                self._alcance = alcance(c)
        return self._alcance


_CONTEXTO = Contexto()


def exigir_administracion(accion: str) -> None:
    """Los comandos de toda la base (migrar, restaurar, seed, accesos...) se rechazan antes de
    hacer nada si la conexión es de una escuela: necesitan la administración de la plataforma."""
    from amauta_cli.services.accesos import exigir_administracion as exigir

    from amauta_cli.dialecto import por_nombre

    if not por_nombre(contexto().objetivo.motor).es_servidor:
        return  # SQLite no tiene roles (y la base puede no existir todavía: migrate, seed)
    with contexto().cruda(solo_lectura=True, exigir_esquema=False) as c:
        exigir(c, accion)


def mostrar_cambios(que: str, cambios: list) -> None:
    """Cada cambio de un ``editar``: campo, antes → después (o que no hubo cambios)."""
    from amauta_cli import salida

    if not cambios:
        salida.exito(f"Sin cambios: {que} ya tenía esos datos.")
        return
    salida.exito(f"{que} actualizado:")
    for c in cambios:
        salida.info(f"  {c.campo}: {_valor(c.antes)} → {_valor(c.despues)}")


def _valor(v: object) -> str:
    from amauta_cli.salida import texto_humano

    texto = texto_humano(v)
    return f"'{texto}'" if texto else "(vacío)"


def fijar_contexto(db_url: str | None) -> None:
    global _CONTEXTO
    _CONTEXTO = Contexto(db_url)


def contexto() -> Contexto:
    return _CONTEXTO


# --- Confirmaciones ------------------------------------------------------------------------------
RESPUESTAS_SI = {"s", "si", "sí", "y", "yes"}


def confirmar(pregunta: str, si: bool = False) -> None:
    """Pide confirmación (s/N). Sin respuesta afirmativa, cancela con código 1."""
    if si:
        return
    try:
        respuesta = typer.prompt(f"{pregunta} [s/N]", default="n", show_default=False, err=True)
    except (EOFError, typer.Abort):
        respuesta = ""
    if respuesta.strip().lower() not in RESPUESTAS_SI:
        raise OperacionRechazada(
            "Operación cancelada: no se confirmó. Para scripts sin terminal, agregue --si."
        )


def confirmar_destructivo(
    accion: str, nombre_base: str, url_enmascarada: str, produccion: bool, si: bool = False
) -> None:
    """Confirma una operación destructiva que nombra la base.

    En una base marcada como producción no alcanza con ``--si``: hay que escribir el
    nombre de la base (o pasarlo en ``AMAUTA_CONFIRMAR_BASE`` para automatizaciones
    deliberadas).
    """
    if not produccion:
        confirmar(f"{accion} en {url_enmascarada}. ¿Continuar?", si)
        return
    esperado = nombre_base
    dado = os.environ.get("AMAUTA_CONFIRMAR_BASE")
    if dado is None:
        from amauta_cli import salida

        salida.aviso(
            f"{accion} en {url_enmascarada}, una base MARCADA COMO PRODUCCIÓN. "
            "--si no alcanza: escriba el nombre de la base para confirmar."
        )
        try:
            dado = typer.prompt(
                f"Nombre de la base ({esperado})", default="", show_default=False, err=True
            )
        except (EOFError, typer.Abort):
            dado = ""
    if dado.strip() != esperado:
        raise OperacionRechazada(
            f"Operación cancelada: la base está marcada como producción y no se escribió su "
            f"nombre ('{esperado}'). Escríbalo cuando se le pida, o defina "
            f"AMAUTA_CONFIRMAR_BASE={esperado} si lo hace un script deliberadamente."
        )


def es_terminal() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


# --- Caché de Redis (amauta_cli.cache) ------------------------------------------------------------
@contextmanager
def _anotar_cambios(escribe: bool) -> Iterator[Any]:
    """Si hay un Redis configurado y el comando escribe: anota tabla e id de cada fila que la
    transacción crea, modifica o borra (ORM), y la tabla de cada INSERT/UPDATE/DELETE de Core o
    de ``db.Cruda`` (sin ids: "cambió esta tabla"); al confirmarse la transacción sin errores,
    lo publica (``publicar_cambios``). Da una función para enganchar una sesión ORM."""
    from amauta_cli import cache

    activo = False
    if escribe:
        try:
            activo = cache.configuracion() is not None
        except Exception:  # noqa: BLE001 - un ajuste inválido de la caché lo informa publicar
            activo = False
    if not activo:
        yield lambda _sesion: None
        return
    from amauta_cli.db import ESCRITURAS

    cambios: dict[str, set] = {}
    tablas: set[str] = set()

    def enganchar(sesion: "Session") -> None:
        from sqlalchemy import event, inspect

        def al_escribir(s, _contexto) -> None:
            for obj in [*s.new, *s.deleted, *(o for o in s.dirty if s.is_modified(o))]:
                mapper = inspect(obj).mapper
                clave = mapper.primary_key_from_instance(obj)
                cambios.setdefault(mapper.local_table.name, set()).add(
                    clave[0] if len(clave) == 1 else tuple(clave)
                )

        def al_ejecutar(estado) -> None:
            if estado.is_insert or estado.is_update or estado.is_delete:
                tabla = getattr(getattr(estado.statement, "table", None), "name", None)
                if tabla:
                    tablas.add(tabla)

        event.listen(sesion, "after_flush", al_escribir)
        event.listen(sesion, "do_orm_execute", al_ejecutar)

    ficha = ESCRITURAS.set(tablas)
    try:
        yield enganchar
    finally:
        ESCRITURAS.reset(ficha)
    # Solo se llega aquí si la transacción se confirmó (una excepción sale antes).
    for tabla in tablas:
        if tabla in cache.PATRONES_POR_DEFECTO:
            cambios.setdefault(tabla, set()).add(cache.TODA_LA_TABLA)
    if cambios:
        publicar_cambios(cambios)


def _nombre_comando() -> str:
    from typer._click.globals import get_current_context

    ctx = get_current_context(silent=True)
    return ctx.command_path if ctx is not None else "amauta"


def publicar_cambios(cambios: "dict[str, Any]") -> None:
    """Después del commit de un comando de pocas filas: publica tabla e ids en el canal de la
    caché (si hay Redis). Un Redis caído o que rechaza solo produce un aviso."""
    from amauta_cli import cache, salida

    try:
        cache.publicar(cambios, _nombre_comando())
    except cache.FallaCache as e:
        tablas = sorted(cambios)
        salida.aviso(
            f"Los datos quedaron escritos, pero no se pudo avisar el cambio a la caché: "
            f"{e.mensaje} La aplicación web puede mostrar datos viejos de "
            f"{', '.join(tablas)}; cuando Redis responda, corra: "
            f"{cache.comando_sugerido(cache.configuracion().patrones_de(tablas))}"  # type: ignore[union-attr]
        )
    except AmautaError as e:
        salida.aviso(f"Los datos quedaron escritos, pero la caché no se avisó: {e.mensaje}")


def tras_cambio_masivo(*tablas: str) -> None:
    """Llamar después del commit de un comando masivo (restore, seed, importar, cargar...):
    borra de Redis las claves de los patrones de ``tablas`` (todas si no se nombra ninguna)
    y dice cuántas. Sin Redis configurado no hace nada; un Redis caído o que rechaza la
    orden nunca hace fallar el comando: avisa qué correr."""
    from amauta_cli import cache, salida, textos

    try:
        cfg = cache.configuracion()
    except AmautaError as e:
        salida.aviso(f"Los datos quedaron escritos, pero la caché no se invalidó: {e.mensaje}")
        return
    if cfg is None:
        return
    tablas = tablas or cache.TODAS
    patrones = cfg.patrones_de(tablas)
    if not patrones:
        return
    try:
        r = cache.limpiar(patrones, cfg)
    except cache.FallaCache as e:
        salida.aviso(
            f"Los datos quedaron escritos, pero no se pudo invalidar la caché: {e.mensaje} "
            "La aplicación web puede mostrar datos viejos hasta que esas claves se borren; "
            f"cuando Redis responda, corra: {cache.comando_sugerido(patrones)}"
        )
        return
    salida.info(
        f"Caché de Redis ({r.url}): {textos.plural(r.borradas, 'clave borrada', 'claves borradas')} "
        f"({', '.join(patrones)})."
    )
