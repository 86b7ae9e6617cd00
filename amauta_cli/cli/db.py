"""``amauta db``: esquema, migraciones, estado y entorno de la base."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from amauta_cli.cli.comun import Formato, OpcionFormato, OpcionSi, confirmar_destructivo, contexto

app = typer.Typer(
    help=(
        "Esquema, migraciones y respaldos de la base: migrate, rollback, estado, historial, "
        "verificar, entorno, backup, backups, verificar-backup, restore, archivar, desarchivar, "
        "copiar."
    ),
    no_args_is_help=True,
)


@app.command("migrate")
def migrate(
    revision: Annotated[
        str,
        typer.Option("--revision", "-r", help="Revisión destino (por defecto, la última: head)."),
    ] = "head",
    sql: Annotated[
        bool,
        typer.Option("--sql", help="Imprime el SQL de las migraciones pendientes sin tocar la base."),
    ] = False,
    desde: Annotated[
        Optional[str],
        typer.Option(
            "--desde",
            help="Con --sql: revisión de partida (p. ej. base) en lugar de leerla de la base.",
        ),
    ] = None,
) -> None:
    """Aplica las migraciones pendientes (crea el esquema en una base vacía)."""
    from amauta_cli import render
    from amauta_cli.services import esquema

    ctx = contexto()
    if sql:
        texto = esquema.sql_migracion(ctx.url, revision, desde=desde)
        if not texto.strip():
            render.info("La base ya está en la revisión pedida: no hay SQL que aplicar.")
        sys.stdout.write(texto)
        return
    render.info(f"Base: {ctx.url_enmascarada}")
    r = esquema.migrar(ctx.url, revision, avisar=render.aviso)
    if not r.aplicadas:
        render.exito(f"La base ya está al día (revisión {r.hasta}). No se cambió nada.")
        return
    for paso in r.aplicadas:
        render.info(f"  aplicada {paso.revision}: {paso.descripcion}")
    render.exito(
        f"Migración completa: {r.desde or 'base'} → {r.hasta} "
        f"({len(r.aplicadas)} {'revisiones' if len(r.aplicadas) != 1 else 'revisión'})."
    )


@app.command("rollback")
def rollback(
    pasos: Annotated[
        Optional[int],
        typer.Option("--pasos", "-n", min=1, help="Cuántas migraciones deshacer (por defecto 1)."),
    ] = None,
    revision: Annotated[
        Optional[str],
        typer.Option(
            "--revision", "-r", help="Deshace hasta dejar la base en esta revisión ('base' = todas)."
        ),
    ] = None,
    si: OpcionSi = False,
    sin_respaldo: Annotated[
        bool,
        typer.Option("--sin-respaldo", help="No hace el respaldo de seguridad automático antes."),
    ] = False,
) -> None:
    """Deshace migraciones (borra las tablas y datos que ellas crearon), previo respaldo."""
    from amauta_cli import render
    from amauta_cli.db import conexion, datos_conexion
    from amauta_cli.errores import DatosInvalidos
    from amauta_cli.services import entorno, esquema

    if pasos is not None and revision is not None:
        raise DatosInvalidos("Use --pasos o --revision, no ambos.")
    ctx = contexto()
    plan = esquema.planificar_reversion(ctx.url, pasos=pasos, revision=revision)
    render.info(f"Base: {ctx.url_enmascarada}")
    render.info(f"Se deshará, de la revisión {plan.actual} a {plan.destino or 'base'}:")
    for paso in plan.deshacer:
        render.info(f"  {paso.revision}: {paso.descripcion}")
    with conexion(ctx.url, solo_lectura=True) as con:
        prod = entorno.leer(con) == "produccion" or entorno.variable_produccion()
    confirmar_destructivo(
        f"Deshacer {len(plan.deshacer)} migración(es) borra sus tablas y datos",
        datos_conexion(ctx.url).base or "",
        ctx.url_enmascarada,
        prod,
        si,
    )
    if not sin_respaldo:
        from amauta_cli.cli.respaldo import respaldo_de_seguridad

        respaldo_de_seguridad(ctx.url_herramientas, "rollback")
    esquema.revertir(ctx.url, plan)
    from amauta_cli.cli.comun import tras_cambio_masivo

    tras_cambio_masivo()
    render.exito(f"Reversión completa: la base quedó en {plan.destino or 'base'}.")


@app.command("estado")
def estado(formato: OpcionFormato = Formato.tabla) -> None:
    """Motor, URL, versión, revisión, migraciones pendientes, entorno y filas por tabla."""
    from amauta_cli import render
    from amauta_cli.services import esquema

    ctx = contexto()
    e = esquema.estado(ctx.url, ctx.origen.origen)
    if formato == Formato.json:
        render.emitir_json(e)
        return
    pares = [
        ("motor", "Motor", e["motor"]),
        ("url", "URL", e["url"]),
        ("origen_url", "Origen de la URL", e["origen_url"]),
        ("version_servidor", "Versión del servidor", e["version_servidor"]),
        ("entorno", "Entorno", e["entorno"] or "sin marcar"),
        ("revision_actual", "Revisión actual", e["revision_actual"] or "ninguna (base vacía)"),
        ("revision_cabeza", "Última revisión", e["revision_cabeza"]),
        (
            "pendientes",
            "Migraciones pendientes",
            ", ".join(e["pendientes"]) if e["pendientes"] else "ninguna",
        ),
    ]
    if formato == Formato.csv:
        pares += [(f"filas.{t}", t, n) for t, n in e["tablas"].items()]
        render.emitir_clave_valor(pares, "csv")
        return
    render.emitir_clave_valor(pares, "tabla", titulo="Estado de la base")
    if e["revision_desconocida"]:
        render.aviso(
            f"La revisión {e['revision_actual']} no la conoce esta versión de amauta: "
            "la base es más nueva que el código."
        )
    elif e["pendientes"]:
        render.aviso("Hay migraciones pendientes: ejecute `amauta db migrate`.")
    if e["tablas"]:
        render.emitir_filas(
            [{"tabla": t, "filas": n} for t, n in e["tablas"].items()],
            [("tabla", "Tabla"), ("filas", "Filas")],
            "tabla",
        )


@app.command("historial")
def historial(formato: OpcionFormato = Formato.tabla) -> None:
    """Las revisiones de migración, marcando la actual."""
    from amauta_cli import render
    from amauta_cli.services import esquema

    filas = esquema.historial(contexto().url)
    for f in filas:
        f["marca"] = "→ actual" if f["actual"] else ("aplicada" if f["aplicada"] else "pendiente")
    if formato == Formato.tabla:
        render.emitir_filas(
            filas,
            [("revision", "Revisión"), ("marca", "Estado"), ("descripcion", "Descripción")],
            "tabla",
            titulo="Historial de migraciones",
        )
        return
    render.emitir_filas(
        filas,
        [
            ("revision", "revision"),
            ("anterior", "anterior"),
            ("descripcion", "descripcion"),
            ("aplicada", "aplicada"),
            ("actual", "actual"),
            ("cabeza", "cabeza"),
        ],
        formato.value,
    )


@app.command("verificar")
def verificar() -> None:
    """Compara la base viva con los modelos y lista cada diferencia (sale con 1 si hay deriva)."""
    from amauta_cli import render
    from amauta_cli.services import esquema

    ctx = contexto()
    problemas = esquema.verificar(ctx.url)
    if not problemas:
        render.exito(f"Sin deriva: {ctx.url_enmascarada} coincide con los modelos de amauta.")
        return
    render.error(
        f"La base {ctx.url_enmascarada} difiere de los modelos ({len(problemas)} diferencias):",
        problemas,
    )
    raise typer.Exit(1)


@app.command("entorno")
def entorno_cmd(
    valor: Annotated[
        Optional[str],
        typer.Argument(
            help="produccion, desarrollo o pruebas. Sin valor, muestra el entorno registrado.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Registra en la propia base si es de producción, desarrollo o pruebas."""
    from amauta_cli import render
    from amauta_cli.services import entorno

    ctx = contexto()
    if valor is None:
        with ctx.conexion(solo_lectura=True, exigir_esquema=False) as con:
            actual = entorno.leer(con)
        typer.echo(actual or "sin marcar")
        return
    with ctx.conexion(exigir_esquema=False) as con:
        anterior, nuevo = entorno.marcar(con, valor)
    if anterior == nuevo:
        render.exito(f"La base ya estaba marcada como '{nuevo}'. No se cambió nada.")
    else:
        render.exito(f"Entorno de {ctx.url_enmascarada}: {anterior or 'sin marcar'} → {nuevo}.")


from amauta_cli.cli import respaldo  # noqa: E402,F401
from amauta_cli.cli import archivo, copia  # noqa: E402,F401
