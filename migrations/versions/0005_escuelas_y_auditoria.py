"""Cada escuela ve solo lo suyo (RLS en PostgreSQL) y auditoría de asistencia y calificaciones

PostgreSQL:

- El rol de grupo ``amauta_escuela`` (NOLOGIN; se crea si no existe: los roles son del
  servidor entero y otras bases lo comparten). Los roles de cada escuela (``amauta
  accesos crear``) son LOGIN y miembros de él.
- ``_amauta_acceso`` (rol → institución): el mapa que decide la escuela de cada rol. Los
  roles de escuela no lo pueden leer ni cambiar; lo consulta la función
  ``amauta_institucion_de(rol)`` (SECURITY DEFINER, search_path fijo), que solo responde
  por el rol de la sesión (o uno del que la sesión sea miembro).
- ``_amauta_vinculo`` (institución, usuario): quiénes son personas de cada institución
  (estudiantes que alguna vez estuvieron en uno de sus grupos, educadores de sus grupos,
  autores de sus comunicados). Lo mantienen disparadores; decide qué ``Usuario`` y
  ``Perfil`` ve una escuela (también sus exalumnos, para que los reportes coincidan).
- Seguridad por filas en Institucion, Grupo, GrupoEstudiante, Usuario, Perfil, Asistencia,
  Calificacion, Comunicado y las tablas propias de arriba: una política PERMISSIVE
  ``amauta_todos`` (TO PUBLIC, true) deja todo como antes para el dueño, la aplicación web
  y cualquier otro rol, y una RESTRICTIVE ``amauta_escuela`` (TO amauta_escuela) limita
  lecturas (USING) y escrituras (WITH CHECK) a la institución del rol.
- ``amauta_alta_estudiante(...)``: la forma de que una escuela cree un estudiante nuevo y
  lo inscriba en uno de sus grupos en la misma transacción.
- Los permisos del rol de grupo los aplica ``amauta_conceder_permisos()``, que también
  corre después de restaurar un respaldo (pg_dump se hace con --no-privileges).

En ambos motores, ``_amauta_auditoria``: cada alta, cambio y baja de ``Asistencia`` y
``Calificacion``, la haga quien la haga, con el momento, el rol de la base, el usuario del
sistema operativo de amauta (si se conoce), la operación y los valores antes y después.
En PostgreSQL con disparadores por sentencia (tablas de transición: baratos para cargas
masivas); en SQLite, por fila.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import postgresql

from amauta_cli.errores import ErrorMigracion

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ROL_GRUPO = "amauta_escuela"
AUDITADAS = ("Asistencia", "Calificacion")
#: Tablas con filas de una institución: la política de escuela de cada una (sin el esquema).
TABLAS_RLS = (
    "Institucion",
    "Grupo",
    "GrupoEstudiante",
    "Usuario",
    "Perfil",
    "Asistencia",
    "Calificacion",
    "Comunicado",
    "_amauta_vinculo",
    "_amauta_auditoria",
)
COLUMNAS_AUDITADAS = {
    "Asistencia": (
        "id", "grupoId", "estudianteId", "fecha", "estado", "observaciones", "createdAt", "updatedAt",
    ),
    "Calificacion": (
        "id", "grupoId", "estudianteId", "materia", "periodo", "nota", "notaMaxima",
        "observaciones", "createdAt", "updatedAt",
    ),
}


def _q(nombre: str) -> str:
    return '"' + nombre.replace('"', '""') + '"'


def _esquema() -> str:
    if context.is_offline_mode():
        return "public"
    return str(op.get_bind().exec_driver_sql("SELECT current_schema()").scalar())


def _politicas(s: str) -> dict[str, tuple[str, str]]:
    """(USING, WITH CHECK) de la política de escuela de cada tabla."""
    inst = f"(SELECT {s}.amauta_institucion_de(current_user))"
    grupos = f'(SELECT g."id" FROM {s}."Grupo" g)'
    personas = f'(SELECT v."usuarioId" FROM {s}."_amauta_vinculo" v)'
    de_sus_grupos = f'"grupoId" IN {grupos}'
    return {
        "Institucion": (f'"id" = {inst}', f'"id" = {inst}'),
        "Grupo": (
            f'"institucionId" = {inst}',
            f'"institucionId" = {inst} AND "educadorId" IN {personas}',
        ),
        "GrupoEstudiante": (de_sus_grupos, f'{de_sus_grupos} AND "estudianteId" IN {personas}'),
        "Asistencia": (de_sus_grupos, f'{de_sus_grupos} AND "estudianteId" IN {personas}'),
        "Calificacion": (de_sus_grupos, f'{de_sus_grupos} AND "estudianteId" IN {personas}'),
        "Comunicado": (
            f'"institucionId" = {inst}',
            f'"institucionId" = {inst} AND "autorId" IN {personas}',
        ),
        "Usuario": (f'"id" IN {personas}', f'"id" IN {personas}'),
        "Perfil": (f'"usuarioId" IN {personas}', f'"usuarioId" IN {personas}'),
        "_amauta_vinculo": (f'"institucionId" = {inst}', f'"institucionId" = {inst}'),
        "_amauta_auditoria": (de_sus_grupos, "false"),
    }


def _sql_rol_grupo() -> str:
    return f"""
DO $amauta$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '{ROL_GRUPO}') THEN
    BEGIN
      CREATE ROLE {ROL_GRUPO} NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;  -- otra base del mismo servidor lo creó al mismo tiempo
    END;
  END IF;
END
$amauta$"""


def _comprobar_rol_grupo() -> None:
    """Sin el rol de grupo y sin permiso para crearlo, un mensaje claro (nada cambió)."""
    if context.is_offline_mode():
        return
    existe, puede = op.get_bind().exec_driver_sql(
        f"SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '{ROL_GRUPO}'), "
        "(SELECT rolsuper OR rolcreaterole FROM pg_catalog.pg_roles WHERE rolname = current_user)"
    ).one()
    if not existe and not puede:
        raise ErrorMigracion(
            f"No se aplicó la migración 0005: hace falta el rol de grupo '{ROL_GRUPO}' y el "
            "rol conectado no puede crear roles. No se cambió nada. Pídale a quien administre "
            f"el servidor que lo cree una vez (`CREATE ROLE {ROL_GRUPO} NOLOGIN;` como "
            "superusuario) y vuelva a ejecutar `amauta db migrate`."
        )


def _sql_funciones(s: str) -> list[str]:
    fijo = f"SET search_path = {s}, pg_catalog, pg_temp"
    ahora = "(pg_catalog.now() AT TIME ZONE 'UTC')::timestamp(3)"
    campos_aud = (
        '"id", "momento", "rol", "usuarioSo", "cliente", "operacion", "tabla", "registroId", '
        '"grupoId", "estudianteId", "antes", "despues"'
    )
    # Quién y cuándo: una vez por sentencia (variables), no por fila.
    quien = "pg_catalog.nextval('{s}.\"_amauta_auditoria_id_seq\"'), v_momento, v_rol, v_usuario, v_cliente".replace("{s}", s)
    declarar = f"""DECLARE
  v_momento timestamp(3) := {ahora};
  v_rol text := session_user::text;
  v_usuario text := nullif(pg_catalog.current_setting('amauta.usuario_so', true), '');
  v_cliente text := nullif(pg_catalog.current_setting('application_name', true), '');"""
    return [
        # Institución del rol: solo responde por el rol de la sesión o uno del que la sesión
        # es miembro (SET ROLE), así que nadie consulta el mapa por otro rol.
        f"""
CREATE OR REPLACE FUNCTION {s}.amauta_institucion_de(rol name) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER {fijo} AS $amauta$
  SELECT a."institucionId" FROM {s}."_amauta_acceso" a
  WHERE a."rol" = $1::text
    AND ($1 = session_user OR pg_catalog.pg_has_role(session_user, $1, 'MEMBER'))
$amauta$""",
        f"""
CREATE OR REPLACE FUNCTION {s}.amauta_auditar() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {fijo} AS $amauta$
{declarar}
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO {s}."_amauta_auditoria" ({campos_aud})
    SELECT {quien}, 'INSERT', TG_TABLE_NAME, n."id", n."grupoId", n."estudianteId",
           NULL, pg_catalog.to_jsonb(n)
    FROM nuevas n;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO {s}."_amauta_auditoria" ({campos_aud})
    SELECT {quien}, 'UPDATE', TG_TABLE_NAME, coalesce(n."id", v."id"),
           coalesce(n."grupoId", v."grupoId"), coalesce(n."estudianteId", v."estudianteId"),
           pg_catalog.to_jsonb(v), pg_catalog.to_jsonb(n)
    FROM nuevas n FULL JOIN viejas v ON v."id" = n."id";
  ELSE
    INSERT INTO {s}."_amauta_auditoria" ({campos_aud})
    SELECT {quien}, 'DELETE', TG_TABLE_NAME, v."id", v."grupoId", v."estudianteId",
           pg_catalog.to_jsonb(v), NULL
    FROM viejas v;
  END IF;
  RETURN NULL;
END
$amauta$""",
        f"""
CREATE OR REPLACE FUNCTION {s}.amauta_vincular() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {fijo} AS $amauta$
BEGIN
  IF TG_TABLE_NAME = 'GrupoEstudiante' THEN
    INSERT INTO {s}."_amauta_vinculo" ("institucionId", "usuarioId")
    SELECT DISTINCT g."institucionId", n."estudianteId"
    FROM nuevas n JOIN {s}."Grupo" g ON g."id" = n."grupoId"
    ON CONFLICT DO NOTHING;
  ELSIF TG_TABLE_NAME = 'Grupo' THEN
    INSERT INTO {s}."_amauta_vinculo" ("institucionId", "usuarioId")
    SELECT n."institucionId", n."educadorId" FROM nuevas n
    UNION
    SELECT n."institucionId", ge."estudianteId"
    FROM nuevas n JOIN {s}."GrupoEstudiante" ge ON ge."grupoId" = n."id"
    ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO {s}."_amauta_vinculo" ("institucionId", "usuarioId")
    SELECT DISTINCT n."institucionId", n."autorId" FROM nuevas n
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$amauta$""",
        # La forma documentada de que una escuela cree un estudiante y lo inscriba en uno de
        # sus grupos, en la transacción de quien llama (psql, amauta u otro cliente).
        f"""
CREATE OR REPLACE FUNCTION {s}.amauta_alta_estudiante(
  grupo text, email text, nombre text, apellido text, password_bcrypt text,
  matricula text DEFAULT NULL, grado text DEFAULT NULL
) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {fijo} AS $amauta$
#variable_conflict use_variable
DECLARE
  -- Dentro de SECURITY DEFINER, current_user es el dueño: la escuela es la del rol de la
  -- sesión (session_user, que solo un superusuario puede cambiar).
  inst text := {s}.amauta_institucion_de(session_user);
  g record;
  nuevo text := 'c' || pg_catalog.substr(pg_catalog.replace(gen_random_uuid()::text, '-', ''), 1, 24);
  correo text := pg_catalog.lower(pg_catalog.btrim(email));
  t timestamp(3) := {ahora};
BEGIN
  IF inst IS NULL THEN
    RAISE EXCEPTION 'amauta: el rol % no tiene una institución asignada en esta base', session_user
      USING ERRCODE = '42501';
  END IF;
  SELECT x."id", x."activo" INTO g FROM {s}."Grupo" x
  WHERE x."id" = grupo AND x."institucionId" = inst;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'amauta: no existe el grupo %', grupo USING ERRCODE = 'P0002';
  END IF;
  IF NOT g."activo" THEN
    RAISE EXCEPTION 'amauta: el grupo % está inactivo: no admite cambios', grupo
      USING ERRCODE = '55000';
  END IF;
  IF correo !~ '^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$' THEN
    RAISE EXCEPTION 'amauta: el email % no es válido', email USING ERRCODE = '22023';
  END IF;
  IF coalesce(pg_catalog.btrim(nombre), '') = '' OR coalesce(pg_catalog.btrim(apellido), '') = '' THEN
    RAISE EXCEPTION 'amauta: nombre y apellido son obligatorios' USING ERRCODE = '22023';
  END IF;
  IF password_bcrypt !~ '^\\$2[aby]\\$[0-9]{{2}}\\$[./A-Za-z0-9]{{53}}$' THEN
    RAISE EXCEPTION 'amauta: la contraseña debe llegar como hash bcrypt, nunca en claro'
      USING ERRCODE = '22023';
  END IF;
  IF EXISTS (SELECT 1 FROM {s}."Usuario" u WHERE pg_catalog.lower(u."email") = correo) THEN
    RAISE EXCEPTION 'amauta: ya existe un usuario con el email %', correo USING ERRCODE = '23505';
  END IF;
  INSERT INTO {s}."Usuario" ("id", "email", "nombre", "apellido", "rol", "password", "activo",
                            "createdAt", "updatedAt")
  VALUES (nuevo, correo, pg_catalog.btrim(nombre), pg_catalog.btrim(apellido), 'ESTUDIANTE',
          password_bcrypt, true, t, t);
  INSERT INTO {s}."Perfil" ("id", "usuarioId", "matricula", "grado", "createdAt", "updatedAt")
  VALUES ('c' || pg_catalog.substr(pg_catalog.replace(gen_random_uuid()::text, '-', ''), 1, 24),
          nuevo, nullif(pg_catalog.btrim(matricula), ''), nullif(pg_catalog.btrim(grado), ''), t, t);
  INSERT INTO {s}."GrupoEstudiante" ("grupoId", "estudianteId", "inscritoEn") VALUES (grupo, nuevo, t);
  RETURN nuevo;
END
$amauta$""",
        # Los permisos del rol de grupo: en la migración y después de cada restauración
        # (los respaldos se hacen sin privilegios). Idempotente.
        f"""
CREATE OR REPLACE FUNCTION {s}.amauta_conceder_permisos() RETURNS void
LANGUAGE plpgsql {fijo} AS $amauta$
BEGIN
  GRANT USAGE ON SCHEMA {s} TO {ROL_GRUPO};
  GRANT SELECT ON {s}.alembic_version, {s}."_amauta_meta" TO {ROL_GRUPO};
  GRANT SELECT, UPDATE ON {s}."Institucion" TO {ROL_GRUPO};
  GRANT SELECT, INSERT, UPDATE ON {s}."Grupo" TO {ROL_GRUPO};
  GRANT SELECT, INSERT, DELETE ON {s}."GrupoEstudiante" TO {ROL_GRUPO};
  GRANT SELECT ON {s}."Usuario", {s}."Perfil" TO {ROL_GRUPO};
  GRANT SELECT, INSERT, UPDATE, DELETE
    ON {s}."Asistencia", {s}."Calificacion", {s}."Comunicado" TO {ROL_GRUPO};
  GRANT SELECT ON {s}."_amauta_vinculo", {s}."_amauta_auditoria" TO {ROL_GRUPO};
  REVOKE ALL ON {s}."_amauta_acceso" FROM PUBLIC;
  REVOKE ALL ON FUNCTION {s}.amauta_institucion_de(name), {s}.amauta_auditar(),
    {s}.amauta_vincular(), {s}.amauta_alta_estudiante(text, text, text, text, text, text, text),
    {s}.amauta_conceder_permisos() FROM PUBLIC;
  GRANT EXECUTE ON FUNCTION {s}.amauta_institucion_de(name),
    {s}.amauta_alta_estudiante(text, text, text, text, text, text, text) TO {ROL_GRUPO};
END
$amauta$""",
    ]


def _upgrade_pg() -> None:
    _comprobar_rol_grupo()
    s = _q(_esquema())
    op.execute(_sql_rol_grupo())
    op.execute(
        f"""
CREATE TABLE {s}."_amauta_acceso" (
  "rol" TEXT NOT NULL,
  "institucionId" TEXT NOT NULL,
  "createdAt" TIMESTAMP(3) NOT NULL,
  "passwordCambiadaEn" TIMESTAMP(3),
  "creadoPor" TEXT,
  CONSTRAINT "_amauta_acceso_pkey" PRIMARY KEY ("rol"),
  CONSTRAINT "_amauta_acceso_institucionId_fkey" FOREIGN KEY ("institucionId")
    REFERENCES {s}."Institucion"("id") ON DELETE RESTRICT ON UPDATE CASCADE
)"""
    )
    op.execute(
        f"""
CREATE TABLE {s}."_amauta_vinculo" (
  "institucionId" TEXT NOT NULL,
  "usuarioId" TEXT NOT NULL,
  CONSTRAINT "_amauta_vinculo_pkey" PRIMARY KEY ("institucionId", "usuarioId")
)"""
    )
    _crear_auditoria(postgresql.TIMESTAMP(precision=3), postgresql.JSONB())
    # El id lo pone el disparador (sin DEFAULT en la columna, como en los modelos).
    op.execute(
        f'CREATE SEQUENCE {s}."_amauta_auditoria_id_seq" OWNED BY {s}."_amauta_auditoria"."id"'
    )
    # Quiénes son de cada institución hoy: alumnos y exalumnos (también por sus registros),
    # educadores de sus grupos y autores de sus comunicados.
    op.execute(
        f"""
INSERT INTO {s}."_amauta_vinculo" ("institucionId", "usuarioId")
SELECT g."institucionId", ge."estudianteId"
  FROM {s}."GrupoEstudiante" ge JOIN {s}."Grupo" g ON g."id" = ge."grupoId"
UNION SELECT g."institucionId", g."educadorId" FROM {s}."Grupo" g
UNION SELECT c."institucionId", c."autorId" FROM {s}."Comunicado" c
UNION SELECT g."institucionId", x."estudianteId"
  FROM (SELECT DISTINCT "grupoId", "estudianteId" FROM {s}."Asistencia") x
  JOIN {s}."Grupo" g ON g."id" = x."grupoId"
UNION SELECT g."institucionId", x."estudianteId"
  FROM (SELECT DISTINCT "grupoId", "estudianteId" FROM {s}."Calificacion") x
  JOIN {s}."Grupo" g ON g."id" = x."grupoId"
"""
    )
    for sql in _sql_funciones(s):
        op.execute(sql)
    for tabla in AUDITADAS:
        for evento, referencias in (
            ("INSERT", "NEW TABLE AS nuevas"),
            ("UPDATE", "OLD TABLE AS viejas NEW TABLE AS nuevas"),
            ("DELETE", "OLD TABLE AS viejas"),
        ):
            op.execute(
                f'CREATE TRIGGER "amauta_auditar_{evento.lower()}" AFTER {evento} ON {s}.{_q(tabla)} '
                f"REFERENCING {referencias} FOR EACH STATEMENT EXECUTE FUNCTION {s}.amauta_auditar()"
            )
    for tabla, eventos in (("GrupoEstudiante", ("INSERT",)), ("Grupo", ("INSERT", "UPDATE")), ("Comunicado", ("INSERT", "UPDATE"))):
        for evento in eventos:
            op.execute(
                f'CREATE TRIGGER "amauta_vincular_{evento.lower()}" AFTER {evento} ON {s}.{_q(tabla)} '
                f"REFERENCING NEW TABLE AS nuevas FOR EACH STATEMENT EXECUTE FUNCTION {s}.amauta_vincular()"
            )
    for tabla, (usando, chequeo) in _politicas(s).items():
        t = f"{s}.{_q(tabla)}"
        op.execute(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY amauta_todos ON {t} AS PERMISSIVE FOR ALL TO PUBLIC USING (true) WITH CHECK (true)")
        op.execute(
            f"CREATE POLICY {ROL_GRUPO} ON {t} AS RESTRICTIVE FOR ALL TO {ROL_GRUPO} "
            f"USING ({usando}) WITH CHECK ({chequeo})"
        )
    op.execute(f"ALTER TABLE {s}.\"_amauta_acceso\" ENABLE ROW LEVEL SECURITY")
    op.execute(f"SELECT {s}.amauta_conceder_permisos()")


def _crear_auditoria(tipo_fecha: sa.types.TypeEngine, tipo_json: sa.types.TypeEngine) -> None:
    op.create_table(
        "_amauta_auditoria",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            autoincrement=False,
        ),
        sa.Column("momento", tipo_fecha, nullable=False),
        sa.Column("rol", sa.Text()),
        sa.Column("usuarioSo", sa.Text()),
        sa.Column("cliente", sa.Text()),
        sa.Column("operacion", sa.Text(), nullable=False),
        sa.Column("tabla", sa.Text(), nullable=False),
        sa.Column("registroId", sa.Text(), nullable=False),
        sa.Column("grupoId", sa.Text()),
        sa.Column("estudianteId", sa.Text()),
        sa.Column("antes", tipo_json),
        sa.Column("despues", tipo_json),
        sa.PrimaryKeyConstraint("id", name="_amauta_auditoria_pkey"),
    )
    op.create_index("_amauta_auditoria_grupoId_momento_idx", "_amauta_auditoria", ["grupoId", "momento"])


def _upgrade_sqlite() -> None:
    _crear_auditoria(sa.DateTime(), sa.JSON())
    momento = "strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'"
    for tabla in AUDITADAS:
        cols = COLUMNAS_AUDITADAS[tabla]

        def objeto(fila: str) -> str:
            return "json_object(" + ", ".join(f"'{c}', {fila}.\"{c}\"" for c in cols) + ")"

        for evento, fila, antes, despues in (
            ("INSERT", "NEW", "NULL", objeto("NEW")),
            ("UPDATE", "NEW", objeto("OLD"), objeto("NEW")),
            ("DELETE", "OLD", objeto("OLD"), "NULL"),
        ):
            op.execute(
                f'CREATE TRIGGER "amauta_auditar_{tabla}_{evento.lower()}" AFTER {evento} ON "{tabla}" '
                "BEGIN INSERT INTO \"_amauta_auditoria\" (\"momento\", \"operacion\", \"tabla\", "
                '"registroId", "grupoId", "estudianteId", "antes", "despues") '
                f"VALUES ({momento}, '{evento}', '{tabla}', {fila}.\"id\", {fila}.\"grupoId\", "
                f"{fila}.\"estudianteId\", {antes}, {despues}); END"
            )


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        _upgrade_pg()
    else:
        _upgrade_sqlite()


def _comprobar_sin_accesos(s: str) -> None:
    if context.is_offline_mode():
        return
    roles = [
        r[0]
        for r in op.get_bind().exec_driver_sql(f'SELECT "rol" FROM {s}."_amauta_acceso" ORDER BY 1')
    ]
    if roles:
        raise ErrorMigracion(
            "No se revirtió la migración 0005: la base tiene accesos de escuelas "
            f"({', '.join(roles)}). Sin la 0005 esos roles quedarían en el servidor sin uso. "
            "Revóquelos primero con `amauta accesos revocar NOMBRE` y vuelva a intentarlo. "
            "No se cambió nada."
        )


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        for tabla in AUDITADAS:
            for evento in ("insert", "update", "delete"):
                op.execute(f'DROP TRIGGER IF EXISTS "amauta_auditar_{tabla}_{evento}"')
        op.drop_index("_amauta_auditoria_grupoId_momento_idx", table_name="_amauta_auditoria")
        op.drop_table("_amauta_auditoria")
        return
    s = _q(_esquema())
    _comprobar_sin_accesos(s)
    for tabla in TABLAS_RLS:
        if tabla.startswith("_amauta"):
            continue
        t = f"{s}.{_q(tabla)}"
        op.execute(f"DROP POLICY IF EXISTS {ROL_GRUPO} ON {t}")
        op.execute(f"DROP POLICY IF EXISTS amauta_todos ON {t}")
        op.execute(f"ALTER TABLE {t} DISABLE ROW LEVEL SECURITY")
    for tabla in AUDITADAS:
        for evento in ("insert", "update", "delete"):
            op.execute(f'DROP TRIGGER IF EXISTS "amauta_auditar_{evento}" ON {s}.{_q(tabla)}')
    for tabla, eventos in (("GrupoEstudiante", ("insert",)), ("Grupo", ("insert", "update")), ("Comunicado", ("insert", "update"))):
        for evento in eventos:
            op.execute(f'DROP TRIGGER IF EXISTS "amauta_vincular_{evento}" ON {s}.{_q(tabla)}')
    # Los permisos del rol de grupo en esta base (el rol queda: es del servidor y otras
    # bases pueden usarlo).
    op.execute(
        f"""
DO $amauta$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '{ROL_GRUPO}') THEN
    REVOKE ALL ON {s}."Institucion", {s}."Grupo", {s}."GrupoEstudiante", {s}."Usuario",
      {s}."Perfil", {s}."Asistencia", {s}."Calificacion", {s}."Comunicado",
      {s}.alembic_version, {s}."_amauta_meta" FROM {ROL_GRUPO};
    REVOKE USAGE ON SCHEMA {s} FROM {ROL_GRUPO};
  END IF;
END
$amauta$"""
    )
    op.drop_index("_amauta_auditoria_grupoId_momento_idx", table_name="_amauta_auditoria")
    op.execute(f'DROP TABLE {s}."_amauta_auditoria"')
    op.execute(f'DROP TABLE {s}."_amauta_vinculo"')
    op.execute(f'DROP TABLE {s}."_amauta_acceso"')
    for firma in (
        "amauta_conceder_permisos()",
        "amauta_alta_estudiante(text, text, text, text, text, text, text)",
        "amauta_vincular()",
        "amauta_auditar()",
        "amauta_institucion_de(name)",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS {s}.{firma}")
