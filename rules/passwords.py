"""Password policy (等保 2.0 身份鉴别): length and character classes."""
from __future__ import annotations

import string

MIN_LENGTH = 8
MIN_CLASSES = 3
MAX_BYTES = 72   # bcrypt's limit


def character_classes(password: str) -> int:
    groups = (
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(c in string.punctuation or (not c.isalnum() and not c.isspace()) for c in password),
    )
    return sum(groups)


def password_problems(password: str, username: str = "", min_length: int = MIN_LENGTH) -> list[str]:
    problems = []
    if len(password) < min_length:
        problems.append(f"密码：长度至少 {min_length} 位")
    if character_classes(password) < MIN_CLASSES:
        problems.append("密码：需包含大写字母、小写字母、数字、符号中的至少三类")
    if username and username.lower() in password.lower():
        problems.append("密码：不得包含用户名")
    if len(password.encode("utf-8")) > MAX_BYTES:   # bcrypt reads no further
        problems.append(f"密码：不能超过 {MAX_BYTES} 个字节（约 {MAX_BYTES} 个字母数字）")
    if "\x00" in password:
        problems.append("密码：不能包含空字符")
    return problems
