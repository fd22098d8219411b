pragma solidity 0.8.19;

contract Registry {
    address private admin;
    mapping(bytes32 => address) public names;

    constructor() {
        admin = msg.sender;
    }

    function isAdmin() internal view returns (bool) {
        return tx.origin == admin;
    }

    function register(bytes32 name, address target) external {
        require(isAdmin(), "not admin");
        names[name] = target;
    }

    function remove(bytes32 name) external {
        address sender = tx.origin;
        require(sender == admin, "not admin");
        delete names[name];
    }

    function bug(address owner_) public view {
        require(tx.origin == owner_);
    }
}
