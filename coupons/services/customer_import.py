"""``import_customers``: upsert customers, their phones, emails and loyalty balances from a
JSON array (CONTRACT 6).

All or nothing, like the coupon import: every record is validated first and any problem
(record index and field) rejects the file. A record updates what it carries: a key left out
keeps the stored value (a new customer starts empty), so a file of balances alone is fine.
``phones`` and ``email``/``emails`` replace the customer's set when present; ``loyalty``
sets the balance of each account listed (accounts not listed are left alone) through the
ledger: one ``import`` entry for the difference, so importing the same file again writes
nothing. Writes are set-wise (an upsert per table, COPY on PostgreSQL): 10,000 customers
take a few seconds.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import connection, transaction
from django.utils import timezone

from ecrs_hub.bulk import upsert
from ecrs_hub.coercion import CoercionError, to_int, to_text

from .. import lock_objects
from ..models import Customer, CustomerEmail, CustomerPhone, LoyaltyAccount, LoyaltyEntry
from .coupon_import import CHUNK, ImportRejected, _chunks, _record_index
from .coupon_rules import identifier_parser

CUSTOMER_ID_MAX = Customer._meta.get_field("customer_id").max_length
NAME_MAX = Customer._meta.get_field("first_name").max_length
PHONE_MAX = CustomerPhone._meta.get_field("number").max_length
EMAIL_MAX = 254  # RFC 5321 path limit; the POS leaves out longer ones anyway
LOYALTY_ID_MAX = LoyaltyAccount._meta.get_field("loyalty_id").max_length
POINTS_MAX = 2**31 - 1
KNOWN = {"id", "firstName", "lastName", "email", "phones", "emails", "loyalty"}
NOT_DIGITS = re.compile(r"\D")
email_validator = EmailValidator()


@dataclass(slots=True)
class ParsedCustomer:
    index: int
    customer_id: str
    names: dict[str, str] = field(default_factory=dict)  # only the keys the record carries
    phones: dict[str, str] | None = None  # last 10 digits → number as given; None: keep
    emails: list[str] | None = None  # lower-cased; None: keep
    loyalty: dict[str, int] | None = None  # loyalty id → balance; None: keep


def _phone(value) -> tuple[str, str]:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise CoercionError("must be a phone number (text)")
    number = to_text(value).strip()  # refuses NUL, which PostgreSQL text cannot hold
    digits = NOT_DIGITS.sub("", number)
    if not 7 <= len(digits) <= 15 or len(number) > PHONE_MAX:
        raise CoercionError(f"must have 7 to 15 digits and at most {PHONE_MAX} characters")
    return digits[-10:], number


def _email(value) -> str:
    if not isinstance(value, str):
        raise CoercionError("must be an email address (text)")
    address = to_text(value).strip().lower()
    if len(address) > EMAIL_MAX:
        raise CoercionError(f"is longer than {EMAIL_MAX} characters")
    try:
        email_validator(address)
    except ValidationError:
        raise CoercionError("is not an email address") from None
    return address


def customer_parse(index: int, raw: Any) -> tuple[ParsedCustomer | None, list[str]]:
    """One record and its problems (``[index].field: value rule``)."""
    if not isinstance(raw, dict):
        return None, [f"[{index}]: must be a JSON object"]
    problems: list[str] = []

    def problem(path: str, value: Any, rule: str) -> None:
        shown = "" if value is None else f" {value!r}"[:90]
        problems.append(f"[{index}].{path}:{shown} {rule}")

    for name in sorted(set(raw) - KNOWN):
        problems.append(f"[{index}].{name}: unknown field (the customer import schema is in CONTRACT 6)")
    customer_id = raw.get("id")
    try:
        if customer_id in (None, ""):
            raise CoercionError("is required")
        customer_id = identifier_parser(CUSTOMER_ID_MAX)(customer_id)
    except CoercionError as exc:
        problem("id", customer_id, exc.rule)
        customer_id = None
    parsed = ParsedCustomer(index=index, customer_id=customer_id)
    for name, attr in (("firstName", "first_name"), ("lastName", "last_name")):
        if name in raw:
            try:
                parsed.names[attr] = (to_text(raw[name], NAME_MAX) or "").strip()
            except CoercionError as exc:
                problem(name, raw[name], exc.rule)

    if "phones" in raw:
        phones = raw["phones"] if raw["phones"] is not None else []
        if not isinstance(phones, list):
            problem("phones", phones, "must be a list")
        else:
            parsed.phones = {}
            for position, value in enumerate(phones):
                try:
                    last10, number = _phone(value)
                except CoercionError as exc:
                    problem(f"phones[{position}]", value, exc.rule)
                    continue
                parsed.phones.setdefault(last10, number)

    if "email" in raw or "emails" in raw:
        parsed.emails = []
        candidates = [("email", raw.get("email"))] if raw.get("email") not in (None, "") else []
        emails = raw.get("emails") if raw.get("emails") is not None else []
        if not isinstance(emails, list):
            problem("emails", emails, "must be a list")
        else:
            candidates += [(f"emails[{position}]", value) for position, value in enumerate(emails)]
        for path, value in candidates:
            try:
                address = _email(value)
            except CoercionError as exc:
                problem(path, value, exc.rule)
                continue
            if address not in parsed.emails:
                parsed.emails.append(address)

    if "loyalty" in raw:
        accounts = raw["loyalty"] if raw["loyalty"] is not None else []
        if not isinstance(accounts, list):
            problem("loyalty", accounts, "must be a list of {id, balance}")
        else:
            parsed.loyalty = {}
            for position, account in enumerate(accounts):
                path = f"loyalty[{position}]"
                if not isinstance(account, dict):
                    problem(path, account, "must be an object {id, balance}")
                    continue
                for name in sorted(set(account) - {"id", "balance"}):
                    problem(f"{path}.{name}", None, "unknown field (an account is {id, balance})")
                try:
                    if account.get("id") in (None, ""):
                        raise CoercionError("is required")
                    loyalty_id = identifier_parser(LOYALTY_ID_MAX)(account["id"])
                except CoercionError as exc:
                    problem(f"{path}.id", account.get("id"), exc.rule)
                    continue
                try:
                    balance = to_int(account.get("balance"), (0, POINTS_MAX))
                    if balance is None:
                        raise CoercionError("is required")
                except CoercionError as exc:
                    rule = "must be whole points, 0 or more" if "between" in exc.rule else exc.rule
                    problem(f"{path}.balance", account.get("balance"), rule)
                    continue
                if loyalty_id in parsed.loyalty:
                    problem(f"{path}.id", loyalty_id, "is listed twice")
                parsed.loyalty[loyalty_id] = balance
    return parsed, problems


@dataclass(slots=True)
class CustomerImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    accounts_created: int = 0
    balances_changed: int = 0


def customers_parse(records: list) -> list[ParsedCustomer]:
    """Every record parsed, or :class:`ImportRejected` with every problem of the file."""
    parsed, problems = [], []
    first_index: dict[str, int] = {}
    loyalty_owner: dict[str, int] = {}
    for index, raw in enumerate(records):
        customer, found = customer_parse(index, raw)
        problems.extend(found)
        if customer is None or customer.customer_id is None:
            continue
        if customer.customer_id in first_index:
            other = first_index[customer.customer_id]
            problems.append(f"[{index}].id: {customer.customer_id!r} is also record [{other}]'s id")
            continue
        first_index[customer.customer_id] = index
        for loyalty_id in customer.loyalty or ():
            if loyalty_owner.setdefault(loyalty_id, index) != index:
                problems.append(
                    f"[{index}].loyalty: account {loyalty_id!r} is also listed by record [{loyalty_owner[loyalty_id]}]"
                )
        parsed.append(customer)
    if problems:
        raise ImportRejected(sorted(problems, key=_record_index))
    return parsed


@transaction.atomic
def customers_import(*, records: list) -> CustomerImportResult:
    """Upsert the customers of ``records`` (the parsed JSON array) or, on any problem, raise
    :class:`ImportRejected` having written nothing. A loyalty account that belongs to
    another customer is a problem too. A POS request learning the same card meanwhile is
    harmless (customers are upserted on their id)."""
    parsed = customers_parse(records)
    result = CustomerImportResult()
    now = timezone.now()
    ids = [customer.customer_id for customer in parsed]
    existing: dict[str, tuple[int, str, str]] = {}
    for chunk in _chunks(ids):
        for pk, customer_id, first, last in Customer.objects.filter(customer_id__in=chunk).values_list(
            "pk", "customer_id", "first_name", "last_name"
        ):
            existing[customer_id] = (pk, first, last)

    # Loyalty accounts first: one that belongs to someone else rejects the file before any write.
    loyalty_ids = [loyalty_id for customer in parsed for loyalty_id in customer.loyalty or ()]
    accounts: dict[str, tuple[int, int]] = {}  # loyalty id → (account pk, customer pk)
    for chunk in _chunks(loyalty_ids):
        for pk, loyalty_id, owner in LoyaltyAccount.objects.filter(loyalty_id__in=chunk).values_list(
            "pk", "loyalty_id", "customer_id"
        ):
            accounts[loyalty_id] = (pk, owner)
    problems = []
    for customer in parsed:
        mine = existing.get(customer.customer_id, (None,))[0]
        for loyalty_id in customer.loyalty or ():
            if loyalty_id in accounts and accounts[loyalty_id][1] != mine:
                problems.append(
                    f"[{customer.index}].loyalty: account {loyalty_id!r} belongs to another customer in the hub"
                )
    if problems:
        raise ImportRejected(problems)

    new_rows, changed_rows = [], []
    for customer in parsed:
        stored = existing.get(customer.customer_id)
        row = {"customer_id": customer.customer_id, **customer.names}
        if stored is None:
            new_rows.append({"first_name": "", "last_name": "", **row})
        elif (customer.names.get("first_name", stored[1]), customer.names.get("last_name", stored[2])) != stored[1:]:
            changed_rows.append(row)
    stamps = {"insert_only": {"created_at": now}, "common": {"updated_at": now}}
    upsert(Customer, new_rows, unique=("customer_id",), new=True, **stamps)
    upsert(Customer, changed_rows, unique=("customer_id",), **stamps)
    pks = {customer_id: values[0] for customer_id, values in existing.items()}
    pks.update(_created_pks(Customer, "customer_id", [row["customer_id"] for row in new_rows], now))
    touched: set[int] = set()

    new_pks = {pks[row["customer_id"]] for row in new_rows}
    phones = {pks[c.customer_id]: c.phones for c in parsed if c.phones is not None}
    touched |= _replace_set(
        CustomerPhone, phones, new_pks, key="last10", value="number", rows=lambda number, last10: {"number": number}
    )
    emails = {pks[c.customer_id]: {address: address for address in c.emails} for c in parsed if c.emails is not None}
    touched |= _replace_set(CustomerEmail, emails, new_pks, key="email", value="email", rows=lambda address, _key: {})

    result.accounts_created, result.balances_changed = _balances_set(parsed, pks, accounts, now)
    result.created = len(new_rows)
    renamed = {pks[row["customer_id"]] for row in changed_rows}
    reset = touched - new_pks
    if reset - renamed:
        # Only their phones or emails changed: staff see the row as updated.
        for chunk in _chunks(sorted(reset - renamed)):
            Customer.objects.filter(pk__in=chunk).update(updated_at=now)
    result.updated = len(renamed | reset)
    result.unchanged = len(parsed) - result.created - result.updated
    return result


def _created_pks(model, key: str, keys: list[str], now) -> dict[str, int]:
    """key → pk of the rows just inserted with ``created_at = now``: one query without a
    list of 10,000 parameters; the few a concurrent writer inserted first are looked up."""
    if not keys:
        return {}
    wanted = set(keys)
    found = {value: pk for value, pk in model.objects.filter(created_at=now).values_list(key, "pk") if value in wanted}
    for chunk in _chunks([value for value in keys if value not in found]):
        found.update(model.objects.filter(**{f"{key}__in": chunk}).values_list(key, "pk"))
    return found


def _replace_set(model, wanted: dict[int, dict[str, str]], new: set[int], *, key: str, value: str, rows) -> set[int]:
    """Make each customer's ``model`` rows exactly ``wanted[customer pk]`` (key → value):
    rows whose key is gone or whose value changed are deleted, missing ones inserted.
    ``new`` customers were just created, so they have none yet. Returns the customers
    whose set changed."""
    stale, present, changed = [], set(), set()
    for chunk in _chunks([pk for pk in wanted if pk not in new]):
        for pk, customer_pk, stored_key, stored_value in model.objects.filter(customer_id__in=chunk).values_list(
            "pk", "customer_id", key, value
        ):
            if wanted[customer_pk].get(stored_key) == stored_value:
                present.add((customer_pk, stored_key))
            else:
                stale.append(pk)
                changed.add(customer_pk)
    for chunk in _chunks(stale):
        model.objects.filter(pk__in=chunk).delete()
    missing = [
        {"customer_id": customer_pk, key: item_key, **rows(item_value, item_key)}
        for customer_pk, items in wanted.items()
        for item_key, item_value in items.items()
        if (customer_pk, item_key) not in present
    ]
    upsert(model, missing, unique=("customer_id", key), new=True)
    return changed | {row["customer_id"] for row in missing}


def _append(model, rows: list[dict]) -> None:
    """Insert new rows (dicts of attnames) of an append-only table: COPY on PostgreSQL (a
    ledger has no key to upsert on, and ``bulk_create`` spends a second building and
    compiling 10,000 rows), else ``bulk_create``."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=CHUNK)
        return
    names = list(rows[0])
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name.removesuffix("_id")).column) for name in names)
    copy_sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
        for row in rows:
            copy.write_row([row[name] for name in names])


def _balances_set(parsed: list[ParsedCustomer], pks: dict[str, int], accounts: dict, now) -> tuple[int, int]:
    """Create the accounts not yet known and write one ledger entry per account whose
    balance differs from the file's. Returns (accounts created, balances changed)."""
    wanted = {
        loyalty_id: (pks[customer.customer_id], balance)
        for customer in parsed
        for loyalty_id, balance in (customer.loyalty or {}).items()
    }
    if not wanted:
        return 0, 0
    new = [
        {"loyalty_id": loyalty_id, "customer_id": customer_pk}
        for loyalty_id, (customer_pk, _balance) in wanted.items()
        if loyalty_id not in accounts
    ]
    upsert(LoyaltyAccount, new, unique=("loyalty_id",), insert_only={"created_at": now}, new=True)
    account_pks = {loyalty_id: pk for loyalty_id, (pk, _owner) in accounts.items()}
    account_pks.update(_created_pks(LoyaltyAccount, "loyalty_id", [row["loyalty_id"] for row in new], now))
    balances: dict[int, int] = defaultdict(int)
    # Locked (pk order) so that a commit charging points meanwhile waits: the entry written is
    # the difference to the balance as it stands.
    for chunk in _chunks(sorted(account_pks[loyalty_id] for loyalty_id in accounts if loyalty_id in wanted)):
        for account in lock_objects.loyalty_accounts_for_update(pks=chunk):
            balances[account.pk] = account.balance
    entries = []
    for loyalty_id, (_customer_pk, balance) in wanted.items():
        account_pk = account_pks[loyalty_id]
        difference = balance - balances[account_pk]
        if difference:
            entries.append(
                {
                    "account_id": account_pk,
                    "points": difference,
                    "reason": LoyaltyEntry.Reason.IMPORT.value,
                    "note": f"import_customers set the balance to {balance}",
                    "created_at": now,
                }
            )
    _append(LoyaltyEntry, entries)
    return len(new), len(entries)
