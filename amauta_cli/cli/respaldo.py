"""``amauta db backup|backups|verificar-backup|restore``: respaldos verificados y restauraciones seguras.

Los comandos se agregan al grupo ``amauta db`` (``cli/db.py`` importa este módulo al final).
Solo Typer y la biblioteca estándar a nivel de módulo.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from amauta_cli.cli.comun import Formato, OpcionFormato, OpcionSi, confirmar_destructivo, contexto
from amauta_cli.cli.db import app

if TYPE_CHECKING:  # pragma: no cover
    from amauta_cli.services.respaldo import ResultadoRespaldo, Verificacion


class FormatoRespaldo(str, Enum):
    custom = "custom"
    sql = "sql"


OpcionSinRespaldo = Annotated[
    bool,
    typer.Option(
        "--sin-respaldo",
        help="No hace el respaldo de seguridad automático de la base antes de modificarla.",
    ),
]
OpcionSinManifiesto = Annotated[
    bool,
    typer.Option(
        "--sin-manifiesto",
        help="Acepta un respaldo de amauta cuyo manifiesto se perdió (sin verificación de SHA-256 ni de filas).",
    ),
]


def _segundos(s: float) -> str:
    return f"{s:.1f} s" if s < 120 else f"{int(s // 60)} min {int(s % 60)} s"


def _mostrar_respaldo(r: "ResultadoRespaldo") -> None:
    from amauta_cli import render
    from amauta_cli.services.respaldo import tamano_legible

    render.emitir_filas(
        [
            {
                "archivo": str(r.archivo),
                "tamano": tamano_legible(r.tamano),
                "duracion": _segundos(r.duracion),
                "tablas": r.tablas,
                "filas": r.filas,
            }
        ],
        [
            ("archivo", "Archivo"),
            ("tamano", "Tamaño"),
            ("duracion", "Duración"),
            ("tablas", "Tablas"),
            ("filas", "Filas"),
        ],
        "tabla",
        titulo="Respaldo",
    )


def _mostrar_verificacion(v: "Verificacion", titulo: str) -> None:
    from amauta_cli import render

    filas = [
        {
            "tabla": c.tabla,
            "esperado": "—" if c.esperado is None else c.esperado,
            "obtenido": "—" if c.obtenido is None else c.obtenido,
            "ok": "" if not v.con_manifiesto else ("✔" if c.ok else "✘ distinto"),
        }
        for c in v.tablas
    ]
    filas.append(
        {
            "tabla": "(revisión)",
            "esperado": v.revision_esperada or "—" if v.con_manifiesto else "—",
            "obtenido": v.revision_obtenida or "ninguna",
            "ok": "" if not v.con_manifiesto else ("✔" if v.revision_ok else "✘ distinta"),
        }
    )
    render.emitir_filas(
        filas,
        [("tabla", "Tabla"), ("esperado", "Manifiesto"), ("obtenido", "Restaurada"), ("ok", "")],
        "tabla",
        titulo=titulo,
    )


def respaldo_de_seguridad(url: str, motivo: str, con_datos: Optional[bool] = None) -> Optional[Path]:
    """El respaldo automático antes de una operación destructiva (restore, rollback).

    Si la base no tiene datos no hace falta; si el respaldo falla, la operación no sigue.
    """
    from amauta_cli import render
    from amauta_cli.services import respaldo

    if con_datos is None:
        con_datos = respaldo.tiene_datos(url)
    if not con_datos:
        render.info("La base no tiene datos: no hace falta un respaldo de seguridad.")
        return None
    r = respaldo.respaldar(url, motivo=f"previo-{motivo}", progreso=render.progreso)
    render.info(
        f"Respaldo de seguridad: {r.archivo} ({respaldo.tamano_legible(r.tamano)}, "
        f"{respaldo.cantidad(r.filas, 'fila')}). Para volver atrás: amauta db restore {r.archivo} --limpiar"
    )
    return r.archivo


@app.command("backup")
def backup(
    salida: Annotated[
        Optional[str],
        typer.Option(
            "--salida",
            "-o",
            metavar="CARPETA/|ARCHIVO",
            help=(
                "Carpeta (si existe o termina en /) o archivo de destino "
                "(por defecto, la carpeta de respaldos)."
            ),
            show_default=False,
        ),
    ] = None,
    formato: Annotated[
        Optional[FormatoRespaldo],
        typer.Option(
            "--formato",
            help="PostgreSQL: custom (pg_restore, por defecto) o sql (psql). SQLite: siempre .db.gz.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    conservar: Annotated[
        Optional[int],
        typer.Option(
            "--conservar",
            min=1,
            help="Después, borra los respaldos más viejos de esta base en esa carpeta y deja los N más nuevos.",
            show_default=False,
        ),
    ] = None,
    verificar: Annotated[
        bool,
        typer.Option(
            "--verificar",
            help="Después, lo restaura en una base desechable y compara revisión y filas con el manifiesto.",
        ),
    ] = False,
) -> None:
    """Respalda la base (pg_dump o la API de respaldo de SQLite) con un manifiesto JSON al lado."""
    from amauta_cli import render
    from amauta_cli.services import respaldo

    ctx = contexto()
    render.info(f"Base: {ctx.url_enmascarada}")
    r = respaldo.respaldar(
        ctx.url_herramientas, salida, formato.value if formato else None, progreso=render.progreso
    )
    _mostrar_respaldo(r)
    if verificar:
        render.info("Verificando: restauración en una base desechable...")
        rv = respaldo.verificar(r.archivo, ctx.url_herramientas, progreso=render.progreso)
        _mostrar_verificacion(rv.verificacion, "Verificación del respaldo")
        if not rv.verificacion.ok:
            render.error(
                f"El respaldo {r.archivo} NO coincide con su manifiesto: no confíe en él. "
                "No se borró ningún respaldo anterior.",
                rv.verificacion.diferencias,
            )
            raise typer.Exit(1)
        render.exito(
            f"Verificado: restaurado en una base desechable ({_segundos(rv.duracion)}), "
            "revisión y filas iguales al manifiesto."
        )
    n = conservar if conservar is not None else respaldo.ajustes()["conservar"]
    if n:
        borrados = respaldo.conservar(r.archivo.parent, n, r.manifiesto)
        for b in borrados:
            render.info(f"  borrado (--conservar {n}): {b.name}")
        if borrados:
            render.info(f"Se conservan los {n} respaldos más nuevos de esta base en {r.archivo.parent}.")
    render.exito(f"Respaldo completo: {r.archivo}")


@app.command("backups")
def backups(
    carpeta: Annotated[
        Optional[Path],
        typer.Argument(
            help="Carpeta de respaldos (por defecto, la de los ajustes o ~/.local/share/amauta/respaldos).",
            show_default=False,
        ),
    ] = None,
    formato: OpcionFormato = Formato.tabla,
) -> None:
    """Los respaldos de amauta de una carpeta con los datos de su manifiesto, el más nuevo primero."""
    from amauta_cli import render
    from amauta_cli.services import respaldo

    carpeta_real, filas = respaldo.listar(carpeta)
    if formato == Formato.tabla:
        for f in filas:
            f["fecha"] = (f["inicio"] or "")[:19].replace("T", " ")
        render.emitir_filas(
            filas,
            [
                ("archivo", "Archivo"),
                ("fecha", "Fecha"),
                ("motor", "Motor"),
                ("base", "Base"),
                ("revision", "Revisión"),
                ("tablas", "Tablas"),
                ("filas", "Filas"),
                ("tamano_legible", "Tamaño"),
                ("motivo", "Motivo"),
                ("estado", "Estado"),
            ],
            "tabla",
            titulo=f"Respaldos en {carpeta_real}",
            vacio=f"No hay respaldos de amauta en {carpeta_real}.",
        )
        return
    render.emitir_filas(
        filas,
        [
            (k, k)
            for k in (
                "archivo", "ruta", "inicio", "fin", "motor", "base", "formato", "revision",
                "tablas", "filas", "tamano", "sha256", "motivo", "version_amauta", "estado",
            )
        ],
        formato.value,
    )


@app.command("verificar-backup")
def verificar_backup(
    archivo: Annotated[Path, typer.Argument(help="El respaldo a verificar.", metavar="ARCHIVO", show_default=False)],
    sin_manifiesto: OpcionSinManifiesto = False,
) -> None:
    """Comprueba el SHA-256 de un respaldo y lo restaura en una base desechable para compararlo con su manifiesto."""
    from amauta_cli import render
    from amauta_cli.services import respaldo

    ctx = contexto()
    rv = respaldo.verificar(
        archivo, ctx.url_herramientas, progreso=render.progreso, exigir_manifiesto=not sin_manifiesto
    )
    v = rv.verificacion
    _mostrar_verificacion(v, f"Verificación de {archivo.name}")
    if not v.con_manifiesto:
        render.aviso(
            f"{archivo.name} no tiene manifiesto de amauta: se restauró bien en una base "
            "desechable, pero no hay contra qué comparar sus filas."
        )
        return
    if not v.ok:
        render.error(f"El respaldo {archivo} NO coincide con su manifiesto.", v.diferencias)
        raise typer.Exit(1)
    render.exito(
        f"{archivo.name}: SHA-256 correcto, restaurado en una base desechable "
        f"({_segundos(rv.duracion)}), revisión {v.revision_obtenida or 'ninguna'} y "
        f"{respaldo.cantidad(v.filas, 'fila')} iguales al manifiesto."
    )


@app.command("restore")
def restore(
    archivo: Annotated[Path, typer.Argument(help="El respaldo a restaurar.", metavar="ARCHIVO", show_default=False)],
    limpiar: Annotated[
        bool,
        typer.Option("--limpiar", help="Reemplaza el contenido de una base que ya tiene datos."),
    ] = False,
    si: OpcionSi = False,
    sin_respaldo: OpcionSinRespaldo = False,
    forzar: Annotated[
        bool,
        typer.Option(
            "--forzar",
            help="Restaura aunque el respaldo tenga una revisión de esquema más nueva que este amauta.",
        ),
    ] = False,
    sin_manifiesto: OpcionSinManifiesto = False,
) -> None:
    """Restaura un respaldo: todo o nada, y luego compara revisión y filas con el manifiesto."""
    from amauta_cli import render
    from amauta_cli.services import respaldo

    ctx = contexto()
    insp = respaldo.inspeccionar(archivo, exigir_manifiesto=not sin_manifiesto)
    m = insp.manifiesto
    if m is None:
        render.aviso(
            f"{insp.archivo.name} no tiene manifiesto de amauta: no hay contra qué verificar "
            "su integridad ni sus filas. Se restaura tal cual."
        )
    else:
        render.info(
            f"Respaldo: {insp.archivo.name} del {str(m['inicio'])[:19].replace('T', ' ')} "
            f"(SHA-256 correcto), revisión {m['revision'] or 'ninguna'}, {respaldo.cantidad(m.get('filas', 0), 'fila')}."
        )
    plan = respaldo.planificar_restauracion(ctx.url_herramientas, insp, limpiar=limpiar, forzar=forzar)
    render.info(
        f"Destino: {ctx.url_enmascarada}"
        + (
            f" (con datos en {respaldo.cantidad(len(plan.tablas_con_datos), 'tabla')}, que se reemplazarán)"
            if plan.con_datos
            else " (sin datos)"
        )
    )
    accion = (
        f"Restaurar {insp.archivo.name} reemplaza TODO el contenido de la base"
        if plan.con_datos
        else f"Restaurar {insp.archivo.name}"
    )
    confirmar_destructivo(accion, plan.nombre_base, ctx.url_enmascarada, plan.produccion, si)
    if plan.con_datos and not sin_respaldo:
        respaldo_de_seguridad(ctx.url_herramientas, "restore", con_datos=True)
    elif plan.con_datos:
        render.aviso("--sin-respaldo: no se hace respaldo de seguridad del contenido actual.")
    r = respaldo.restaurar(plan, progreso=render.progreso)
    from amauta_cli.cli.comun import tras_cambio_masivo

    tras_cambio_masivo()
    v = r.verificacion
    _mostrar_verificacion(v, "Base restaurada")
    if plan.entorno_destino and (m or {}).get("entorno") != plan.entorno_destino:
        render.info(f"Se conservó la marca de entorno de la base destino: {plan.entorno_destino}.")
    if not v.ok:
        render.error(
            "La restauración terminó pero la base NO coincide con el manifiesto del respaldo.",
            v.diferencias,
        )
        raise typer.Exit(1)
    if v.revision_obtenida is None:
        render.aviso("La base restaurada no tiene el esquema de amauta (no hay revisión de Alembic).")
    elif r.pendiente_migrar:
        render.aviso(
            f"El respaldo está en la revisión {v.revision_obtenida}, anterior a la de este "
            f"amauta ({r.revision_cabeza}): ejecute `amauta db migrate` para ponerla al día."
        )
    elif v.revision_obtenida != r.revision_cabeza:
        render.aviso(
            f"La base quedó en la revisión {v.revision_obtenida}, que este amauta no conoce "
            "(--forzar): actualice amauta antes de usarla."
        )
    render.exito(
        f"Restauración completa en {_segundos(r.duracion)}: {respaldo.cantidad(v.filas, 'fila')}"
        + (", iguales al manifiesto." if v.con_manifiesto else ".")
    )
