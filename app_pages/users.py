"""用户管理 (admins only): the accounts, adding one, its role and counties, disabling, a new
password, the single sign-on e-mail. Core decides and records (core.access.users)."""

import pandas as pd
import streamlit as st

from app_pages import common, signin
from core.access.users import Users
from core.policy import roles
from core.policy.roles import Role

st.title("用户管理")
actor = signin.allowed(roles.USERS)  # stops with the refusal otherwise

users = Users(common.store())
p = common.portfolio()
ROLE_HELP = "查看:浏览和下载;区县填报:另可导入所选区县的数据;管理员:全部操作,包括回滚、议程、用户"

if "users_done" in st.session_state:
    st.success(common.plain(st.session_state.pop("users_done")), icon=":material/check_circle:")

found = users.all()
now = pd.Timestamp.now()


def _state(u) -> str:
    if u.disabled:
        return "已停用"
    if u.locked_until is not None and u.locked_until > now:
        return f"已锁定至{u.locked_until:%H:%M}"
    return "正常"


common.dataframe(
    pd.DataFrame(
        {
            "账户": [u.username for u in found],
            "姓名": [u.display_name for u in found],
            "角色": [u.role.value for u in found],
            "区县": ["、".join(u.counties) for u in found],
            "状态": [_state(u) for u in found],
            "登录方式": [
                "、".join(
                    x
                    for x, on in (("密码", u.has_password), ("单点登录", u.email or u.subject))
                    if on
                )
                for u in found
            ],
            "单点登录邮箱": [u.email for u in found],
            "最近登录": [
                f"{u.last_sign_in:%Y-%m-%d %H:%M}" if u.last_sign_in else "" for u in found
            ],
        }
    ),
    width="stretch",
)
st.caption(
    f"密码只保存其argon2哈希值。连续输错密码"
    f"{common.settings_value('max_failed_sign_ins')}次锁定"
    f"{common.settings_value('lockout_minutes')}分钟;空闲"
    f"{common.settings_value('idle_minutes')}分钟自动退出(设置文件[access]一节)。"
)


def _act(action, done: str) -> None:
    try:
        action()
    except (ValueError, roles.Refused) as exc:
        st.error(common.plain(getattr(exc, "message", str(exc))), icon=":material/error:")
        return
    st.session_state["users_done"] = done
    st.session_state["users_round"] = st.session_state.get("users_round", 0) + 1
    st.rerun()


r = st.session_state.setdefault("users_round", 0)
st.subheader("添加账户")
with st.form(f"user_add_{r}"):
    c1, c2, c3 = st.columns(3)
    name = c1.text_input("账户名", help="登录时输入;2至40个字符")
    display = c2.text_input("姓名")
    role = c3.selectbox("角色", [x.value for x in Role], help=ROLE_HELP)
    c4, c5, c6 = st.columns(3)
    counties = c4.multiselect(
        "区县(区县填报账户)", p.counties, placeholder="选择区县", select_all=False
    )
    password = c5.text_input("初始密码", type="password", autocomplete="new-password")
    email = c6.text_input("单点登录邮箱(可选)", help="用单点登录时,按这个邮箱对应到本账户")
    if st.form_submit_button("添加", icon=":material/person_add:", type="primary"):
        _act(
            lambda: users.add(actor, name, role, password=password or None, counties=counties,
                              email=email, display_name=display),
            f"已添加账户“{name}”。",
        )  # fmt: skip

if found:
    st.subheader("修改账户")
    chosen = st.selectbox("账户", [u.username for u in found], key=f"user_chosen_{r}")
    user = next(u for u in found if u.username == chosen)
    c1, c2 = st.columns(2)
    with c1.form(f"user_role_{r}"):
        new_role = st.selectbox("角色", [x.value for x in Role],
                                index=list(Role).index(user.role), help=ROLE_HELP)  # fmt: skip
        new_counties = st.multiselect(
            "区县(区县填报账户)",
            sorted(set(p.counties) | set(user.counties)),
            default=list(user.counties),
            placeholder="选择区县",
            select_all=False,
        )
        if st.form_submit_button("保存角色", icon=":material/manage_accounts:"):
            _act(lambda: users.set_role(actor, chosen, new_role, tuple(new_counties)),
                 f"已修改“{chosen}”的角色。")  # fmt: skip
    with c2.form(f"user_password_{r}"):
        new_password = st.text_input("新密码", type="password", autocomplete="new-password")
        if st.form_submit_button("重设密码并解除锁定", icon=":material/key:"):
            _act(lambda: users.reset_password(actor, chosen, new_password),
                 f"已重设“{chosen}”的密码。")  # fmt: skip
    c3, c4 = st.columns(2)
    with c3.form(f"user_sso_{r}"):
        new_email = st.text_input("单点登录邮箱", value=user.email)
        if st.form_submit_button("保存单点登录邮箱", icon=":material/badge:"):
            _act(lambda: users.set_sso(actor, chosen, email=new_email, subject=user.subject),
                 f"已修改“{chosen}”的单点登录邮箱。")  # fmt: skip
    with c4:
        if user.disabled:
            if st.button("启用账户", icon=":material/lock_open:"):
                _act(lambda: users.enable(actor, chosen), f"已启用“{chosen}”。")
        elif st.button("停用账户", icon=":material/block:"):
            _act(lambda: users.disable(actor, chosen), f"已停用“{chosen}”,该账户已不能登录。")
st.caption("第一位管理员在服务器上用命令添加:python -m core user add 账户名 --role 管理员。")
